package passerelle

import (
	"encoding/json"
	"time"
)

// The kinds of Passerelle database.
const (
	KindKiosk = "kiosk"
	KindHub   = "hub"
)

// DatabaseStats is what `passerelle stats` says of a database file, a
// kiosk's or a hub's. Its JSON (stats -json) holds kind, events and
// sessions, then only the fields of its kind.
type DatabaseStats struct {
	Kind     string `json:"kind"`     // KindKiosk or KindHub
	Events   int    `json:"events"`   // every event kept
	Sessions int    `json:"sessions"` // distinct sessions among them

	// A kiosk's.
	Pending         int       `json:"pending"`   // events the hub has not acknowledged
	Conflicts       int       `json:"conflicts"` // events the hub refused
	HubURL          string    `json:"hub_url"`   // "" until the kiosk joined a hub
	Kiosk           string    `json:"kiosk"`     // the name the hub knows the kiosk by
	LastSyncSuccess time.Time `json:"last_sync_success"`
	LastSyncError   string    `json:"last_sync_error"` // "" when the last attempt succeeded
	CatalogVersion  string    `json:"catalog_version"` // hub catalog installed, "" if none

	// A hub's.
	Kiosks        []Kiosk `json:"kiosks"`         // sorted by name
	LatestCatalog string  `json:"latest_catalog"` // hash of the catalog published last, "" if none
}

// MarshalJSON writes the common fields and those of the file's kind, with
// snake_case keys, times in RFC 3339 and never-happened times left out.
func (s DatabaseStats) MarshalJSON() ([]byte, error) {
	if s.Kind == KindHub {
		kiosks := make([]kioskJSON, len(s.Kiosks))
		for i, k := range s.Kiosks {
			kiosks[i] = kioskJSON{
				Name: k.Name, EnrolledAt: k.EnrolledAt, JoinedAt: k.JoinedAt, RevokedAt: k.RevokedAt,
				LastSeen: k.LastSeen, AppVersion: k.Report.AppVersion, CatalogVersion: k.Report.CatalogVersion,
				PendingEvents: k.Report.PendingEvents, FreeDiskBytes: k.Report.FreeDiskBytes, LastError: k.Report.LastError,
			}
		}
		return json.Marshal(struct {
			Kind          string      `json:"kind"`
			Events        int         `json:"events"`
			Sessions      int         `json:"sessions"`
			Kiosks        []kioskJSON `json:"kiosks"`
			LatestCatalog string      `json:"latest_catalog"`
		}{s.Kind, s.Events, s.Sessions, kiosks, s.LatestCatalog})
	}
	return json.Marshal(struct {
		Kind            string    `json:"kind"`
		Events          int       `json:"events"`
		Sessions        int       `json:"sessions"`
		Pending         int       `json:"pending"`
		Conflicts       int       `json:"conflicts"`
		HubURL          string    `json:"hub_url"`
		Kiosk           string    `json:"kiosk"`
		LastSyncSuccess time.Time `json:"last_sync_success,omitzero"`
		LastSyncError   string    `json:"last_sync_error"`
		CatalogVersion  string    `json:"catalog_version"`
	}{s.Kind, s.Events, s.Sessions, s.Pending, s.Conflicts, s.HubURL, s.Kiosk,
		s.LastSyncSuccess, s.LastSyncError, s.CatalogVersion})
}

// kioskJSON is a kiosk as stats -json shows it.
type kioskJSON struct {
	Name           string    `json:"name"`
	EnrolledAt     time.Time `json:"enrolled_at,omitzero"`
	JoinedAt       time.Time `json:"joined_at,omitzero"`
	RevokedAt      time.Time `json:"revoked_at,omitzero"`
	LastSeen       time.Time `json:"last_seen,omitzero"`
	AppVersion     string    `json:"app_version"`
	CatalogVersion string    `json:"catalog_version"`
	PendingEvents  int       `json:"pending_events"`
	FreeDiskBytes  int64     `json:"free_disk_bytes"`
	LastError      string    `json:"last_error"`
}
