package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"passerelle/app/hubapi"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
)

const (
	joinSynopsis = "passerelle join -db kiosk.db -hub URL -token TOKEN [-ca FILE]"
	syncSynopsis = "passerelle sync -once -db kiosk.db"
)

// runJoin is the kiosk's side of enrollment: it exchanges the one-time
// token staff got from hub enroll for the kiosk's own credential, kept in
// the kiosk's database.
func runJoin(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCommand("join", joinSynopsis)
	db := c.String("db", defaultDataPath("kiosk.db"), "the kiosk's database file")
	hub := c.String("hub", "", "the hub's address, like https://hub.example.org:8750")
	token := c.String("token", "", "the enrollment token printed by passerelle hub enroll")
	ca := c.String("ca", "", "a PEM file of the certificate authority to trust for the hub, besides the system's")
	if _, err := c.parse(args); errors.Is(err, flag.ErrHelp) {
		return c.help(stdout)
	} else if err != nil {
		return c.fail(stderr, err)
	}
	if err := required(map[string]string{"db": *db, "hub": *hub, "token": *token}); err != nil {
		return c.fail(stderr, err)
	}
	if err := kioskFile(*db); err != nil {
		return c.fail(stderr, err)
	}
	if err := checkHubURL(*hub); err != nil {
		return c.fail(stderr, err)
	}
	var caPEM []byte
	if *ca != "" {
		var err error
		if caPEM, err = os.ReadFile(*ca); err != nil {
			return c.fail(stderr, fmt.Errorf("cannot read the -ca file %s: %w", *ca, errors.Unwrap(err)))
		}
		if !x509.NewCertPool().AppendCertsFromPEM(caPEM) {
			return c.fail(stderr, usagef("-ca %s holds no PEM certificate: give the certificate of the authority that signed the hub's, in PEM (-----BEGIN CERTIFICATE-----)", *ca))
		}
	}
	// The database first: the token works once, and must not be spent on
	// a kiosk that cannot keep the credential.
	store, err := openStoppedKiosk(*db)
	if err != nil {
		return c.fail(stderr, err)
	}
	defer store.Close()
	previous, err := store.HubLink(ctx)
	if err != nil && !errors.Is(err, passerelle.ErrNotFound) {
		return c.fail(stderr, err)
	}
	link, err := hubapi.Join(ctx, strings.TrimRight(*hub, "/"), strings.TrimSpace(*token), caPEM)
	var unknownAuthority x509.UnknownAuthorityError
	if errors.As(err, &unknownAuthority) {
		return c.fail(stderr, fmt.Errorf("the hub at %s has a certificate signed by an authority this machine does not trust: give that authority's certificate with -ca FILE (the token is not spent)", *hub))
	}
	if err != nil {
		return c.fail(stderr, err)
	}
	link.JoinedAt = time.Now().UTC()
	if err := store.SaveHubLink(ctx, link); err != nil {
		return c.fail(stderr, fmt.Errorf("the hub accepted the token, but the kiosk could not keep its credential (%w): enroll the kiosk again with passerelle hub enroll", err))
	}
	replaced := ""
	if previous.URL != "" {
		replaced = fmt.Sprintf(", instead of the hub %s as %q", previous.URL, previous.Kiosk)
	}
	fmt.Fprintf(stdout, "This kiosk joined the hub %s as %q%s: from its next start it sends its events and receives the hub's catalog in the background (passerelle sync -once -db %s syncs now).\n",
		link.URL, link.Kiosk, replaced, *db)
	return 0
}

// openStoppedKiosk opens the database of a kiosk that is not running:
// only one program at a time may use a kiosk's database.
func openStoppedKiosk(path string) (*sqlite.DB, error) {
	store := sqlite.NewDB(path)
	err := store.Open()
	if errors.Is(err, sqlite.ErrInUse) {
		return nil, fmt.Errorf("the kiosk is running on %s: stop it, run this command, then start the kiosk again", path)
	}
	if err != nil {
		return nil, err
	}
	return store, nil
}

// checkHubURL refuses an address the kiosk could not reach the hub at.
func checkHubURL(hub string) error {
	u, err := url.Parse(hub)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return usagef("-hub %q is not a hub address like https://hub.example.org:8750", hub)
	}
	return nil
}

// runSync does one whole sync, as the kiosk does in the background: report,
// upload every unsent event, bring the hub's catalog if it changed.
func runSync(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCommand("sync", syncSynopsis)
	once := c.Bool("once", false, "sync once now, then stop (a joined kiosk syncs by itself while it runs)")
	db := c.String("db", defaultDataPath("kiosk.db"), "the kiosk's database file")
	if _, err := c.parse(args); errors.Is(err, flag.ErrHelp) {
		return c.help(stdout)
	} else if err != nil {
		return c.fail(stderr, err)
	}
	if !*once {
		return c.fail(stderr, usagef("a running kiosk syncs by itself: give -once to sync once now"))
	}
	if err := required(map[string]string{"db": *db}); err != nil {
		return c.fail(stderr, err)
	}
	if err := kioskFile(*db); err != nil {
		return c.fail(stderr, err)
	}
	if _, err := os.Stat(*db); errors.Is(err, os.ErrNotExist) {
		return c.fail(stderr, fmt.Errorf("there is no kiosk database at %s: give -db the file the kiosk runs on", *db))
	}
	store, err := openStoppedKiosk(*db)
	if err != nil {
		return c.fail(stderr, err)
	}
	defer store.Close()
	link, err := store.HubLink(ctx)
	if errors.Is(err, passerelle.ErrNotFound) {
		return c.fail(stderr, errors.New("this kiosk has not joined a hub: run passerelle join first"))
	} else if err != nil {
		return c.fail(stderr, err)
	}
	before, err := store.Pending(ctx)
	if err != nil {
		return c.fail(stderr, err)
	}
	// Its outcome is the one sentence printed: the log says only what went wrong besides.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	syncer := &hubapi.Syncer{Outbox: store, DataDir: filepath.Dir(*db), AppVersion: appVersion(), Logger: logger, Now: time.Now}
	if err := syncer.SyncOnce(ctx); err != nil {
		return c.fail(stderr, err)
	}
	after, err := store.Pending(ctx)
	if err != nil {
		return c.fail(stderr, err)
	}
	status, err := store.SyncStatus(ctx)
	if err != nil {
		return c.fail(stderr, err)
	}
	catalog := "the shipped catalog"
	if status.CatalogVersion != "" {
		catalog = "catalog version " + shortHash(status.CatalogVersion)
	}
	fmt.Fprintf(stdout, "Synced with the hub %s: %d events sent, %d left to send; %s is live.\n",
		link.URL, before-after, after, catalog)
	return 0
}

// appVersion names the build for the hub: its version and the commit it
// was built from.
func appVersion() string {
	v, c := buildVersion()
	return v + " " + c
}
