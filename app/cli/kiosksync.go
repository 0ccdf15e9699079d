package cli

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"time"

	"passerelle/app/bundle"
	"passerelle/app/hubapi"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
)

// hubSync starts the background sync of a kiosk joined to a hub and
// returns the catalog folder the kiosk serves: the data folder's, which
// the sync swaps when the hub publishes a catalog. A kiosk not joined
// serves the shipped catalog and syncs nothing. The kiosk never fails to
// start because of its hub: a problem is logged, and it runs unsynced.
func hubSync(ctx context.Context, c kioskConfig, db *sqlite.DB, logger *slog.Logger) (catalog string, stop func()) {
	nothing := func() {}
	link, err := db.HubLink(ctx)
	if errors.Is(err, passerelle.ErrNotFound) {
		return c.catalog, nothing
	}
	if err != nil {
		logger.Error("kiosk: the hub link cannot be read: the kiosk does not sync", "err", err)
		return c.catalog, nothing
	}
	dataDir := filepath.Dir(c.db)
	catalog, err = bundle.EnsureLink(dataDir, c.catalog)
	if err != nil {
		logger.Error("kiosk: the hub's catalog folder cannot be made: the kiosk serves the shipped catalog and does not sync", "err", err)
		return c.catalog, nothing
	}
	syncer := &hubapi.Syncer{Outbox: db, DataDir: dataDir, AppVersion: appVersion(), Logger: logger, Now: time.Now, Interval: c.syncEvery}
	if err := syncer.Open(); err != nil {
		logger.Error("kiosk: the sync cannot start", "err", err)
		return catalog, nothing
	}
	logger.Info("kiosk: syncing with the hub in the background", "hub", link.URL, "kiosk", link.Kiosk)
	return catalog, func() { syncer.Close() }
}
