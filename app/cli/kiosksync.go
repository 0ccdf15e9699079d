package cli

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"

	"passerelle/app/bundle"
	"passerelle/app/hubapi"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
	"passerelle/app/ui"
)

// hubSync prepares the background sync of a kiosk joined to a hub and
// returns the catalog folder the kiosk serves: the data folder's, which
// the sync swaps when the hub publishes a catalog. A kiosk not joined
// serves the shipped catalog and syncs nothing. The kiosk never fails to
// start because of its hub: a problem is logged, and it runs unsynced.
// A joined kiosk also gets its help push, not started: it needs the
// kiosk's screens to record the hub's marks (startHelpPush). The sync
// starts when start is called: the kiosk calls it once its environment is
// settled (the network's C resolver reads it; kiosk).
func hubSync(ctx context.Context, c kioskConfig, db *sqlite.DB, logger *slog.Logger) (catalog string, help *hubapi.HelpPusher, start func() (stop func())) {
	nothing := func() (stop func()) { return func() {} }
	link, err := db.HubLink(ctx)
	if errors.Is(err, passerelle.ErrNotFound) {
		return c.catalog, nil, nothing
	}
	if err != nil {
		logger.Error("kiosk: the hub link cannot be read: the kiosk does not sync", "err", err)
		return c.catalog, nil, nothing
	}
	dataDir := filepath.Dir(c.db)
	catalog, err = bundle.EnsureLink(dataDir, c.catalog)
	if err != nil {
		logger.Error("kiosk: the hub's catalog folder cannot be made: the kiosk serves the shipped catalog and does not sync", "err", err)
		return c.catalog, nil, nothing
	}
	help = &hubapi.HelpPusher{Outbox: db, Help: db, Logger: logger, Now: time.Now, Poll: c.helpPoll}
	return catalog, help, func() (stop func()) {
		syncer := &hubapi.Syncer{Outbox: db, DataDir: dataDir, AppVersion: appVersion(), Logger: logger, Now: time.Now, Interval: c.syncEvery}
		if err := syncer.Open(); err != nil {
			logger.Error("kiosk: the sync cannot start", "err", err)
			return func() {}
		}
		logger.Info("kiosk: syncing with the hub in the background", "hub", link.URL, "kiosk", link.Kiosk)
		return func() { syncer.Close() }
	}
}

// startHelpPush starts pushing the kiosk's help calls to its hub; the
// marks staff make on the hub's page are recorded on the kiosk's
// goroutine. It returns what stops it.
func startHelpPush(help *hubapi.HelpPusher, kiosk *ui.Kiosk, logger *slog.Logger) (stop func()) {
	help.OnMarks = func(marks []passerelle.HelpMark) {
		fyne.Do(func() { kiosk.RecordHubMarks(marks) })
	}
	if err := help.Open(); err != nil {
		logger.Error("kiosk: the help push cannot start: help calls reach the hub with the sync", "err", err)
		return func() {}
	}
	return func() { help.Close() }
}
