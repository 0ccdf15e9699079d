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
