// Package hubapi is the hub's HTTP+JSON API, both ends: the wire types, the
// Server the hub runs, and the Client and Syncer a kiosk runs. Everything
// the kiosk and the hub say to each other is in this file.
package hubapi

// The API's paths. Every request but join carries the kiosk's credential:
// "Authorization: Bearer <credential>".
const (
	// PathJoin: POST JoinRequest → JoinResponse. No credential: the
	// enrollment token is the proof.
	PathJoin = "/api/v1/join"
	// PathReport: POST Report → 204. Sent first at each sync.
	PathReport = "/api/v1/report"
	// PathEvents: POST EventsRequest → EventsResponse.
	PathEvents = "/api/v1/events"
	// PathHelp: POST HelpRequest → HelpResponse. The kiosk pushes its
	// unsent help events as soon as a call opens or is handled, ahead of
	// its sync, and asks every few seconds while a call is open: the
	// answer names the calls staff marked handled on the hub's page.
	PathHelp = "/api/v1/help"
	// PathCatalog: GET → 200 with the latest catalog as one archive
	// (application/gzip), its hash in the ETag (quoted) and in the
	// Catalog-Hash header; 304 when If-None-Match names it already; 404
	// when the hub has published none.
	PathCatalog = "/api/v1/catalog"
)

// Limits of one upload. A kiosk sends at most MaxBatchEvents events and
// MaxBatchBytes of JSON per request; the hub refuses bodies larger than
// MaxRequestBytes (413) whatever the path.
const (
	MaxBatchEvents  = 500
	MaxBatchBytes   = 1 << 20
	MaxRequestBytes = 2 << 20
)

// JoinRequest exchanges a one-time enrollment token for a credential.
type JoinRequest struct {
	Token string `json:"token"`
}

// JoinResponse carries the kiosk's long-lived credential. The hub keeps
// only its hash: this is the one time it is ever sent.
type JoinResponse struct {
	Kiosk      string `json:"kiosk"`
	Credential string `json:"credential"`
}

// Report is what a kiosk says about itself at each sync.
type Report struct {
	AppVersion     string `json:"app_version"`
	CatalogVersion string `json:"catalog_version"`
	PendingEvents  int    `json:"pending_events"`
	FreeDiskBytes  int64  `json:"free_disk_bytes"`
	LastError      string `json:"last_error"`
}

// Event is an event as it travels. It has no field for a personal value:
// what a user typed cannot leave the kiosk, by construction.
type Event struct {
	ID               string `json:"id"`
	SessionID        string `json:"session_id"`
	Seq              int    `json:"seq"`
	Kind             string `json:"kind"`
	At               int64  `json:"at"` // unix milliseconds, UTC
	Lang             string `json:"lang,omitempty"`
	ProcedureID      string `json:"procedure_id,omitempty"`
	ProcedureVersion int    `json:"procedure_version,omitempty"`
	StepID           string `json:"step_id,omitempty"`
	Answer           string `json:"answer,omitempty"`
	Outcome          string `json:"outcome,omitempty"`
}

// EventsRequest is one batch of events.
type EventsRequest struct {
	Events []Event `json:"events"`
}

// EventsResponse says which events of the batch the hub now holds (the
// kiosk marks them sent) and which it refused as conflicts.
type EventsResponse struct {
	Held      []string   `json:"held"`
	Conflicts []Conflict `json:"conflicts,omitempty"`
}

// HelpRequest carries a kiosk's unsent help events: help_asked and
// help_handled only (any other kind refuses the whole request, 400: those
// go to PathEvents). The list may be empty: the kiosk only asks for the
// marks. The limits of PathEvents apply.
type HelpRequest struct {
	Events []Event `json:"events"`
}

// HelpResponse says, as EventsResponse does, which events the hub now
// holds: it stores them as PathEvents does, so the same events sent again
// by the sync are acknowledged again, never held twice. Marks are the
// kiosk's calls staff marked handled on the hub's page and still open in
// the events the hub holds, oldest first: the kiosk records each
// (help_handled) and pushes it, which closes the call on the hub.
type HelpResponse struct {
	Held      []string   `json:"held"`
	Conflicts []Conflict `json:"conflicts,omitempty"`
	Marks     []HelpMark `json:"marks"`
}

// HelpMark is a call marked handled on the hub.
type HelpMark struct {
	SessionID string `json:"session_id"`
	MarkedAt  int64  `json:"marked_at"` // unix milliseconds, UTC
}

// Conflict is an event refused because the hub holds another event with
// the same id.
type Conflict struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// Error is the body of every error answer: one plain sentence.
type Error struct {
	Error string `json:"error"`
}
