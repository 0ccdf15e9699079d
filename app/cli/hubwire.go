//go:build hubparts

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

const tokenLifetime = hubapi.TokenLifetime

func enrollKiosk(ctx context.Context, store passerelle.HubStore, name string, now time.Time) (string, error) {
	return hubapi.Enroll(ctx, store, name, now)
}

func joinHub(ctx context.Context, hubURL, token string, caPEM []byte) (passerelle.HubLink, error) {
	return hubapi.Join(ctx, hubURL, token, caPEM)
}

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
	syncer := &hubapi.Syncer{Outbox: db, DataDir: dataDir, AppVersion: appVersion(), Logger: logger, Now: time.Now}
	if err := syncer.Open(); err != nil {
		logger.Error("kiosk: the sync cannot start", "err", err)
		return catalog, nothing
	}
	logger.Info("kiosk: syncing with the hub in the background", "hub", link.URL, "kiosk", link.Kiosk)
	return catalog, func() { syncer.Close() }
}

// syncOnce does one whole sync of the kiosk whose database is store.
func syncOnce(ctx context.Context, store *sqlite.DB, dataDir string, logger *slog.Logger) error {
	syncer := &hubapi.Syncer{Outbox: store, DataDir: dataDir, AppVersion: appVersion(), Logger: logger, Now: time.Now}
	return syncer.SyncOnce(ctx)
}

// serveHub runs the hub until ctx is done: it publishes the catalog folder
// each time it changes and is sound, and answers the kiosks.
func serveHub(ctx context.Context, cfg hubConfig, logger *slog.Logger) error {
	store := sqlite.NewHubDB(cfg.db)
	if err := store.Open(); err != nil {
		return err
	}
	defer store.Close()
	publisher := &bundle.Publisher{Dir: cfg.catalog, Store: store, Logger: logger, Now: time.Now}
	if err := publisher.Open(); err != nil {
		return err
	}
	defer publisher.Close()
	// The publisher logs the problems of a catalog it refused itself.
	server := &hubapi.Server{Store: store, Logger: logger, Now: time.Now}
	return hubapi.Serve(ctx, hubapi.ServeConfig{
		Addr: cfg.listen, TLSCert: cfg.tlsCert, TLSKey: cfg.tlsKey, AllowPlainHTTP: cfg.allowPlainHTTP,
		Handler: server.Handler(), Logger: logger,
	})
}
