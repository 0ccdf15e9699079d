package passerelle

import (
	"context"
	"errors"
	"time"
)

// Errors of the hub's contracts. Implementations wrap them, so callers test
// with errors.Is.
var (
	// ErrUnauthorized: no such credential or enrollment token, or a token
	// already used or expired.
	ErrUnauthorized = errors.New("not authorized")
	// ErrRevoked: the kiosk was revoked by staff; it may not sync again.
	ErrRevoked = errors.New("kiosk revoked")
	// ErrExists: a kiosk of that name has already joined or was revoked.
	ErrExists = errors.New("already exists")
)

// Kiosk is a kiosk as the hub knows it.
type Kiosk struct {
	Name       string // chosen by staff at enrollment, unique
	EnrolledAt time.Time
	JoinedAt   time.Time // zero until the kiosk exchanged its enrollment token
	RevokedAt  time.Time // zero unless staff revoked it
	LastSeen   time.Time // the last authenticated request; zero if none
	Report     KioskReport
}

// KioskReport is what a kiosk says about itself at each sync.
type KioskReport struct {
	AppVersion     string
	CatalogVersion string // hash of the catalog live on the kiosk
	PendingEvents  int    // events not yet acknowledged by the hub
	FreeDiskBytes  int64  // where the kiosk's database is
	LastError      string // the last sync error, in plain words; "" when the last sync succeeded
}

// CatalogVersion is one published state of the hub's catalog folder.
type CatalogVersion struct {
	Hash        string // hex SHA-256 of the catalog's content (bundle.Hash): the version's identity
	Archive     []byte // the folder as one archive (bundle.Pack)
	PublishedAt time.Time
}

// EventConflict is an event the hub refused because it already holds an
// event with the same id and a different content. The hub never
// overwrites an event.
type EventConflict struct {
	ID     string
	Reason string // plain words, for the logs and staff
}

// HubTotals are the hub's counts over every kiosk.
type HubTotals struct {
	Events int
	// Sessions counts the users' sessions: their session_started events.
	// Staff events, each alone under an id of its own, are not sessions.
	Sessions int
}

// HubStore keeps what the hub holds: kiosks and their credentials, the
// events kiosks uploaded, and the published catalog versions. Every
// implementation passes the suite in app/hubstoretest. Credentials and
// tokens reach it only as hashes: it never sees a secret.
type HubStore interface {
	// EnrollKiosk creates a kiosk waiting to join with the enrollment
	// token whose hash is given, usable until expires. Enrolling again a
	// kiosk that has not joined yet replaces its token (the old one stops
	// working); a kiosk that joined or was revoked gives ErrExists.
	EnrollKiosk(ctx context.Context, name string, tokenHash []byte, expires, now time.Time) error
	// JoinKiosk consumes an enrollment token: the kiosk it was made for
	// gets the credential whose hash is given, and the token can never be
	// used again. An unknown, used or expired token, or a revoked kiosk,
	// gives ErrUnauthorized and changes nothing.
	JoinKiosk(ctx context.Context, tokenHash, credentialHash []byte, now time.Time) (Kiosk, error)
	// Authenticate returns the kiosk holding the credential and records it
	// as seen at now. An unknown credential gives ErrUnauthorized, a
	// revoked kiosk ErrRevoked.
	Authenticate(ctx context.Context, credentialHash []byte, now time.Time) (Kiosk, error)
	// RevokeKiosk refuses the kiosk from now on; ErrNotFound if no such
	// kiosk. Its events stay. Idempotent.
	RevokeKiosk(ctx context.Context, name string, now time.Time) error
	// SaveReport keeps a kiosk's latest report.
	SaveReport(ctx context.Context, kiosk string, r KioskReport, now time.Time) error
	// Kiosks returns every kiosk, sorted by name.
	Kiosks(ctx context.Context) ([]Kiosk, error)

	// PutEvents stores a kiosk's events, in one transaction. held lists the
	// ids of the batch the hub now holds with exactly that content for that
	// kiosk, whether stored now or before (a batch sent again is
	// acknowledged again, never counted twice). An id already held with
	// another content, or for another kiosk, is a conflict: refused,
	// returned in conflicts, the stored event unchanged. An event carrying
	// a personal value is refused whole: the hub never holds one.
	PutEvents(ctx context.Context, kiosk string, events []Event) (held []string, conflicts []EventConflict, err error)
	// EventIDs returns the ids of every event held for a kiosk, sorted.
	EventIDs(ctx context.Context, kiosk string) ([]string, error)
	// Totals counts the events and sessions held, every kiosk together.
	Totals(ctx context.Context) (HubTotals, error)

	// PublishCatalog makes v the latest catalog version. Publishing the hash
	// already latest does nothing and returns false. Every version stays.
	PublishCatalog(ctx context.Context, v CatalogVersion) (published bool, err error)
	// LatestCatalog returns the latest published version, or ErrNotFound.
	LatestCatalog(ctx context.Context) (CatalogVersion, error)
	// LatestCatalogHash returns the latest version's hash without its
	// archive, or ErrNotFound: every kiosk asks at every sync, and most
	// of the time the answer is "no change".
	LatestCatalogHash(ctx context.Context) (string, error)

	// FiguresSource: the anonymous statistics of every kiosk's sessions
	// (q.Kiosk narrows them to one), for the hub's staff page.
	FiguresSource

	// StaffAccounts: the accounts and sessions of the hub's staff page.
	StaffAccounts

	// HubHelpDesk: the kiosks' help calls, shown live on the hub's staff
	// page, and the marks staff make there.
	HubHelpDesk

	Close() error
}

// HubLink is how a joined kiosk reaches its hub.
type HubLink struct {
	URL        string // the hub's base URL, e.g. https://hub.example.org:8750
	Kiosk      string // the name the hub knows the kiosk by
	Credential string // the long-lived secret the kiosk authenticates with
	CACert     []byte // PEM certificates to trust for the hub besides the system's; may be empty
	JoinedAt   time.Time
}

// SyncStatus is what a kiosk knows of its last syncs.
type SyncStatus struct {
	LastAttempt    time.Time
	LastSuccess    time.Time // zero until a sync succeeded
	LastError      string    // "" when the last attempt succeeded
	CatalogVersion string    // hash of the hub catalog installed, "" if none
}

// Outbox is the kiosk's side of sync: which events the hub holds, and how
// to reach it. The event log stays append-only: the sent marks live apart.
type Outbox interface {
	// Unsent returns up to limit events the hub has not acknowledged, in
	// the order they were appended, WITHOUT their personal values (those
	// never leave the kiosk), skipping events marked as conflicts.
	Unsent(ctx context.Context, limit int) ([]Event, error)
	// UnsentHelp returns up to limit of the unsent events that make help
	// calls (help_asked, help_handled), as Unsent does: in order, without
	// personal values, skipping conflicts. The kiosk pushes them to the
	// hub ahead of the rest, so staff learn of a call within seconds.
	UnsentHelp(ctx context.Context, limit int) ([]Event, error)
	// MarkSent records that the hub holds these events. Idempotent.
	MarkSent(ctx context.Context, ids []string, at time.Time) error
	// MarkConflicts records events the hub refused as conflicts: they are
	// not sent again, and stay counted for staff.
	MarkConflicts(ctx context.Context, conflicts []EventConflict, at time.Time) error
	// Pending counts the events neither sent nor in conflict.
	Pending(ctx context.Context) (int, error)

	// HubLink returns how to reach the hub, or ErrNotFound when the kiosk
	// has not joined one.
	HubLink(ctx context.Context) (HubLink, error)
	// SaveHubLink stores the link (replacing any previous one).
	SaveHubLink(ctx context.Context, l HubLink) error
	// SyncStatus returns the last sync's outcome (zero before any).
	SyncStatus(ctx context.Context) (SyncStatus, error)
	SaveSyncStatus(ctx context.Context, s SyncStatus) error
}
