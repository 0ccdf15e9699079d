//go:build !hubparts

package cli

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
)

// Until app/hubapi and app/bundle land.
var errPending = errors.New("not built yet")

const tokenLifetime = 7 * 24 * time.Hour

func enrollKiosk(ctx context.Context, store passerelle.HubStore, name string, now time.Time) (string, error) {
	return "", errPending
}

func joinHub(ctx context.Context, hubURL, token string, caPEM []byte) (passerelle.HubLink, error) {
	return passerelle.HubLink{}, errPending
}

func syncOnce(ctx context.Context, store *sqlite.DB, dataDir string, logger *slog.Logger) error {
	return errPending
}

func serveHub(ctx context.Context, cfg hubConfig, logger *slog.Logger) error { return errPending }

func hubSync(ctx context.Context, c kioskConfig, db *sqlite.DB, logger *slog.Logger) (catalog string, stop func()) {
	return c.catalog, func() {}
}
