package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"passerelle/app/audio"
	"passerelle/app/bundle"
	"passerelle/app/editor"
	"passerelle/app/hubapi"
	"passerelle/app/hubweb"
	"passerelle/app/passerelle"
	"passerelle/app/ui"
	"passerelle/app/voice"
)

const (
	hubSynopsis     = "passerelle hub -listen 127.0.0.1:8750 -db hub.db|DSN -catalog DIR [-editor DIR] [-tls-cert F -tls-key F] [-allow-plain-http]"
	enrollSynopsis  = "passerelle hub enroll -db hub.db|DSN NAME"
	revokeSynopsis  = "passerelle hub revoke -db hub.db|DSN NAME"
	migrateSynopsis = "passerelle hub migrate -db hub.db|DSN"
)

// dbUsage describes a hub's -db flag.
const dbUsage = "the hub's database: a SQLite file (created if missing), or a PostgreSQL connection string (postgres://user@host/dbname or \"host=... dbname=...\")"

// runHub runs the hub, or one of its staff commands (enroll, revoke,
// migrate).
func runHub(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "enroll":
			return runEnroll(ctx, args[1:], stdout, stderr)
		case "revoke":
			return runRevoke(ctx, args[1:], stdout, stderr)
		case "migrate":
			return runMigrate(ctx, args[1:], stdout, stderr)
		case "user":
			return runHubUser(ctx, args[1:], stdout, stderr)
		}
	}
	c := newCommand("hub", hubSynopsis)
	cfg, err := parseHub(c, args)
	if errors.Is(err, flag.ErrHelp) {
		return c.help(stdout)
	} else if err != nil {
		return c.fail(stderr, err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	err = serveHub(ctx, cfg, logger)
	if errors.Is(err, syscall.EADDRINUSE) {
		err = fmt.Errorf("another program (another hub?) already listens on %s: stop it, or give -listen another port", cfg.listen)
	}
	if err != nil {
		return c.fail(stderr, err)
	}
	return 0
}

// hubConfig is what the hub reads from its flags.
type hubConfig struct {
	listen, db, catalog string
	editorDir           string // the editor's drafts and versions; "" is <catalog>-editor
	tlsCert, tlsKey     string
	allowPlainHTTP      bool
}

func parseHub(c *command, args []string) (hubConfig, error) {
	var cfg hubConfig
	hubFlags(c.FlagSet, &cfg)
	configPath := configFlag(c.FlagSet)
	if _, err := c.parse(args); err != nil {
		return cfg, err
	}
	from, err := applyConfig(c.FlagSet, *configPath, "hub")
	if err != nil {
		return cfg, err
	}
	return cfg, from.locate(cfg.check())
}

// hubFlags defines the hub's flags on fs, into cfg.
func hubFlags(fs *flag.FlagSet, cfg *hubConfig) {
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:8750", "the address and port to listen on")
	fs.StringVar(&cfg.db, "db", defaultDataPath("hub.db"), dbUsage)
	fs.StringVar(&cfg.catalog, "catalog", "", "the folder of procedures the hub publishes to its kiosks")
	fs.StringVar(&cfg.editorDir, "editor", "", "the folder of the staff page's procedure editor: drafts and every version published, made at the first save (default: beside the catalog, DIR-editor)")
	fs.StringVar(&cfg.tlsCert, "tls-cert", "", "the TLS certificate file (PEM, with its chain): the hub serves HTTPS")
	fs.StringVar(&cfg.tlsKey, "tls-key", "", "the TLS certificate's private key file (PEM)")
	fs.BoolVar(&cfg.allowPlainHTTP, "allow-plain-http", false,
		"serve plain HTTP on an address other than loopback, when a proxy in front of the hub encrypts the traffic")
}

// check refuses a hub configuration that cannot work or is not safe.
func (cfg hubConfig) check() error {
	if err := required(map[string]string{"listen": cfg.listen, "db": cfg.db, "catalog": cfg.catalog}); err != nil {
		return err
	}
	if (cfg.tlsCert == "") != (cfg.tlsKey == "") {
		return usagef("give both -tls-cert and -tls-key, or neither")
	}
	host, port, err := net.SplitHostPort(cfg.listen)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		return usagef("-listen %q is not an address and port like 127.0.0.1:8750", cfg.listen)
	}
	if cfg.tlsCert == "" && !cfg.allowPlainHTTP && !loopbackHost(host) {
		return usagef("-listen %s is reachable from other machines, and without -tls-cert and -tls-key the kiosks' credentials would cross the network in clear: give a certificate, or -allow-plain-http when a proxy in front of the hub encrypts the traffic", cfg.listen)
	}
	if info, err := os.Stat(cfg.catalog); err != nil || !info.IsDir() {
		return usagef("-catalog %s is not a folder: give the folder of procedures the hub publishes", cfg.catalog)
	}
	return nil
}

// loopbackHost says whether a listening host is reachable from this
// machine only.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serveHub runs the hub until ctx is done: it publishes the catalog folder
// each time it changes and is sound, and answers the kiosks.
func serveHub(ctx context.Context, cfg hubConfig, logger *slog.Logger) error {
	store, err := openHubStore(cfg.db, logger)
	if err != nil {
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
	ed := openEditor(cfg)
	web := &hubweb.Server{Store: store, Titles: publisher.Titles, Logger: logger, Now: time.Now,
		Secure: cfg.tlsCert != "" || cfg.allowPlainHTTP, Editor: ed,
		// The synthetic voice of the kiosk, cached in the editor's folder.
		Speech:  &voice.SpeechPreview{Speech: audio.NewSpeech(filepath.Join(ed.Dir, "speech-cache"), ""), Logger: logger},
		Preview: previewStep}
	return hubapi.Serve(ctx, hubapi.ServeConfig{
		Addr: cfg.listen, TLSCert: cfg.tlsCert, TLSKey: cfg.tlsKey, AllowPlainHTTP: cfg.allowPlainHTTP,
		Handler: hubHandler(server, web), Logger: logger,
	})
}

// previewStep draws a step of a draft by the kiosk's own screens, at the
// kiosk's default screen size: the staff page does not import them.
func previewStep(_ context.Context, p *passerelle.Procedure, places []*passerelle.Place, step string, lang passerelle.Lang) ([]byte, error) {
	return ui.PreviewPNG(ui.PreviewRequest{Procedure: p, StepID: step, Lang: lang, Places: places})
}

// openEditor sets up the staff page's editor on its work folder: -editor,
// or DIR-editor beside the catalog DIR. The folder is made at the first
// save, so a hub whose staff never edit writes nothing there.
func openEditor(cfg hubConfig) *editor.Editor {
	dir := cfg.editorDir
	if dir == "" {
		dir = filepath.Clean(cfg.catalog) + "-editor"
	}
	ed := &editor.Editor{Catalog: cfg.catalog, Dir: dir}
	ed.Clean() // what a publish the hub's stop interrupted left
	return ed
}

// hubHandler serves the kiosks' API under /api/ and the staff page at
// every other path. secure: browsers reach the hub over HTTPS (its own
// certificate, or a proxy in front of it), so cookies are marked Secure.
func hubHandler(api *hubapi.Server, web *hubweb.Server) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", api.Handler())
	mux.Handle("/", web.Handler())
	return mux
}

// runEnroll creates a kiosk on the hub and prints its one-time token, on
// the last line, alone, so that a script can take it with tail -n 1.
func runEnroll(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCommand("hub enroll", enrollSynopsis)
	db := c.String("db", defaultDataPath("hub.db"), dbUsage)
	names, err := c.parse(args, "NAME")
	if errors.Is(err, flag.ErrHelp) {
		return c.help(stdout)
	} else if err != nil {
		return c.fail(stderr, err)
	}
	if err := required(map[string]string{"db": *db}); err != nil {
		return c.fail(stderr, err)
	}
	store, err := openHubStoreBeside(*db)
	if err != nil {
		return c.fail(stderr, err)
	}
	defer store.Close()
	now := time.Now()
	token, err := hubapi.Enroll(ctx, store, names[0], now)
	if err != nil {
		return c.fail(stderr, err)
	}
	fmt.Fprintf(stdout, "The kiosk %q is enrolled. On the kiosk, with the kiosk stopped, run: passerelle join -db kiosk.db -hub URL -token TOKEN, with the token below. It works once, until %s (7 days); enrolling %q again gives a new one.\n",
		names[0], plainTime(now.Add(hubapi.TokenLifetime)), names[0])
	fmt.Fprintln(stdout, token)
	return 0
}

// runRevoke refuses a kiosk from now on; the events it sent stay.
func runRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCommand("hub revoke", revokeSynopsis)
	db := c.String("db", defaultDataPath("hub.db"), dbUsage)
	names, err := c.parse(args, "NAME")
	if errors.Is(err, flag.ErrHelp) {
		return c.help(stdout)
	} else if err != nil {
		return c.fail(stderr, err)
	}
	if err := required(map[string]string{"db": *db}); err != nil {
		return c.fail(stderr, err)
	}
	store, err := openHubStoreBeside(*db)
	if err != nil {
		return c.fail(stderr, err)
	}
	defer store.Close()
	err = store.RevokeKiosk(ctx, names[0], time.Now())
	if errors.Is(err, passerelle.ErrNotFound) {
		return c.fail(stderr, fmt.Errorf("no kiosk is named %q on this hub: passerelle stats with the same -db lists them", names[0]))
	}
	if err != nil {
		return c.fail(stderr, err)
	}
	fmt.Fprintf(stdout, "The kiosk %q is revoked: the hub refuses it from now on. The events it sent stay.\n", names[0])
	return 0
}

// runMigrate brings a hub's database to the latest schema and exits: what
// a deployment runs before starting or upgrading its hubs. A hub migrates
// at its start too, but a migration that fails is better seen once, before
// any hub is restarted. On a SQLite file it does the same (the file is
// created if missing, and refused while a hub runs on it), so that one
// deployment script fits both stores.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCommand("hub migrate", migrateSynopsis)
	db := c.String("db", defaultDataPath("hub.db"), dbUsage)
	if _, err := c.parse(args); errors.Is(err, flag.ErrHelp) {
		return c.help(stdout)
	} else if err != nil {
		return c.fail(stderr, err)
	}
	if err := required(map[string]string{"db": *db}); err != nil {
		return c.fail(stderr, err)
	}
	// The same log lines as the hub's (partitions created, say).
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	if err := migrateHubStore(ctx, *db, logger); err != nil {
		return c.fail(stderr, err)
	}
	fmt.Fprintf(stdout, "The hub database %s is migrated to the latest schema: start the hubs on it.\n", databaseName(*db))
	return 0
}
