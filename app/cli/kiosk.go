package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"passerelle/app/audio"
	"passerelle/app/procedure"
	"passerelle/app/sqlite"
	"passerelle/app/ui"
	"passerelle/assets"
)

// kioskConfig is what the kiosk subcommand reads from its flags.
type kioskConfig struct {
	catalog    string
	db         string
	speech     string
	windowed   bool
	size       string
	inactivity time.Duration
	stillThere time.Duration
	retention  time.Duration
	volume     float64
	rate       int
	tapGuard   time.Duration // 0: the default
}

// runKiosk opens the kiosk on a catalog and runs until the window closes.
func runKiosk(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c kioskConfig
	fs := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.catalog, "catalog", DefaultCatalog, "folder of procedures")
	fs.StringVar(&c.db, "db", defaultDataPath("kiosk.db"), "the kiosk's database file")
	fs.StringVar(&c.speech, "speech-cache", defaultCachePath("speech"), "folder of synthesised speech")
	fs.BoolVar(&c.windowed, "windowed", false, "run in a window instead of full screen")
	fs.StringVar(&c.size, "size", "1024x768", "window size when windowed")
	fs.DurationVar(&c.inactivity, "inactivity", ui.DefaultSettings.Inactivity, "time without a touch before \"are you still there?\"")
	fs.DurationVar(&c.stillThere, "still-there", ui.DefaultSettings.StillThereWait, "time the question waits before the session ends")
	fs.DurationVar(&c.retention, "retention", 30*24*time.Hour, "how long typed personal values are kept")
	fs.Float64Var(&c.volume, "volume", 1, "volume, 0 to 1")
	fs.IntVar(&c.rate, "rate", 150, "speech rate, words per minute")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "passerelle kiosk: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	if err := kiosk(ctx, c, logger); err != nil {
		fmt.Fprintf(stderr, "passerelle kiosk: %v\n", err)
		return 1
	}
	return 0
}

func kiosk(ctx context.Context, c kioskConfig, logger *slog.Logger) error {
	var width, height float32
	if _, err := fmt.Sscanf(c.size, "%gx%g", &width, &height); err != nil {
		return fmt.Errorf("-size %q: want WIDTHxHEIGHT, like 1024x768", c.size)
	}
	a := fyneapp.NewWithID("fr.passerelle.kiosk")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon()))
	sink, _ := audio.OpenSink(logger)
	k, err := openKiosk(ctx, c, a, sink, logger)
	if err != nil {
		return err
	}
	defer k.Close()
	if c.windowed {
		k.win.Resize(fyne.NewSize(width, height))
	} else {
		k.win.SetFullScreen(true)
	}
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	k.win.ShowAndRun()
	return nil
}

// running is an open kiosk and what it holds open.
type running struct {
	win     fyne.Window
	ui      *ui.Kiosk
	db      *sqlite.DB
	closers []func()
}

// Close stops the kiosk and closes what it opened, last opened first.
func (r *running) Close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
}

// openKiosk starts everything but the window's event loop: the database
// (closing sessions a crash interrupted), the catalog watcher, the player
// and the screens, in a window of a.
func openKiosk(ctx context.Context, c kioskConfig, a fyne.App, sink audio.Sink, logger *slog.Logger) (_ *running, err error) {
	r := &running{}
	defer func() {
		if err != nil {
			r.Close()
		}
	}()
	r.db = sqlite.NewDB(c.db)
	if err := r.db.Open(); err != nil {
		return nil, err
	}
	r.closers = append(r.closers, func() { r.db.Close() })
	// A session left open is one a crash or a power cut interrupted: the
	// kiosk restarts at welcome and keeps what was saved, marked interrupted.
	now := time.Now()
	interrupted, err := r.db.CloseInterrupted(ctx, now)
	if err != nil {
		return nil, err
	}
	if len(interrupted) > 0 {
		logger.Warn("kiosk: sessions interrupted by the last stop were closed", "sessions", len(interrupted))
	}
	if n, err := r.db.PurgePersonal(ctx, now.Add(-c.retention)); err != nil {
		logger.Error("kiosk: purge old personal values", "err", err)
	} else if n > 0 {
		logger.Info("kiosk: personal values past their retention were deleted", "count", n)
	}

	watcher := procedure.NewWatcher(c.catalog)
	watcher.Logger = logger
	if err := watcher.Open(); err != nil {
		return nil, err
	}
	r.closers = append(r.closers, func() { watcher.Close() })

	player := audio.NewPlayer(sink, audio.NewSpeech(c.speech, ""),
		audio.WithVolume(c.volume), audio.WithRate(c.rate), audio.WithLogger(logger))
	r.closers = append(r.closers, func() { player.Close() })

	a.Settings().SetTheme(ui.Theme())
	r.win = a.NewWindow("Passerelle")
	settings := ui.DefaultSettings
	settings.Inactivity, settings.StillThereWait = c.inactivity, c.stillThere
	if c.tapGuard > 0 {
		settings.TapGuard = c.tapGuard
	}
	r.ui = ui.New(r.win, ui.Deps{Catalog: watcher, Store: r.db, Player: player, Logger: logger}, settings)
	r.ui.Run()
	r.closers = append(r.closers, r.ui.Close)
	purgeCtx, stopPurge := context.WithCancel(ctx)
	go purgeDaily(purgeCtx, r.db, c.retention, logger)
	r.closers = append(r.closers, stopPurge)
	return r, nil
}

// purgeDaily deletes typed personal values once they pass their retention.
func purgeDaily(ctx context.Context, db *sqlite.DB, retention time.Duration, logger *slog.Logger) {
	tick := time.NewTicker(24 * time.Hour)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if _, err := db.PurgePersonal(ctx, now.Add(-retention)); err != nil {
				logger.Error("kiosk: purge old personal values", "err", err)
			}
		}
	}
}

// defaultDataPath is where the kiosk keeps its state: $XDG_DATA_HOME or
// ~/.local/share, under passerelle/.
func defaultDataPath(name string) string {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return name
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "passerelle", name)
}

// defaultCachePath is where rebuildable files go: the synthesised speech.
func defaultCachePath(name string) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return name
	}
	return filepath.Join(dir, "passerelle", name)
}
