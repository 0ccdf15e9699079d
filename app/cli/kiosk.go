package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"passerelle/app/audio"
	"passerelle/app/hubapi"
	"passerelle/app/lp"
	"passerelle/app/passerelle"
	"passerelle/app/procedure"
	"passerelle/app/sqlite"
	"passerelle/app/ui"
	"passerelle/assets"
)

// runKiosk opens the kiosk on a catalog and runs until the window closes.
func runKiosk(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseKiosk(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "passerelle kiosk: %v\n", err)
		return 2
	}
	level := slog.LevelInfo
	if c.debug {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	defer captureToolkitLog(logger)()
	if err := kiosk(ctx, c, logger); err != nil {
		fmt.Fprintf(stderr, "passerelle kiosk: %v\n", err)
		return 1
	}
	return 0
}

func kiosk(ctx context.Context, c kioskConfig, logger *slog.Logger) error {
	// The database first: a second kiosk on it stops here, before it opens
	// a window over the first one or touches anything.
	r, err := openDatabase(c)
	if errors.Is(err, sqlite.ErrInUse) {
		return err
	}
	defer r.Close()
	go exitIfStuck(ctx, stopGrace, logger, os.Exit)
	if err := findDisplay(); err != nil {
		return err
	}
	if c.volume == 0 {
		logger.Warn("kiosk: the volume is 0 (-volume 0): the kiosk is silent, users will not hear the prompts")
	}
	// The start allocates about 40 MB that it drops at once (files read,
	// pictograms drawn to check them, fonts parsed): collecting it ten
	// times while the window opens cost 20 to 100 ms of the start, on two
	// cores (interleaved runs, medians of 8: 280 -> 177 ms). Go collects
	// only past startHeapLimit until the window shows, then as set before
	// (GOGC, GOMEMLIMIT).
	gcPercent := debug.SetGCPercent(-1)
	memoryLimit := debug.SetMemoryLimit(-1) // reads it
	debug.SetMemoryLimit(min(memoryLimit, startHeapLimit))
	// The catalog loads in the background while the rest starts (60 of
	// the 240 ms the kiosk took to show its window); its code is all Go,
	// so it may run beside the C libraries the rest calls (below).
	loading := r.loadCatalog(ctx, c, logger, err)
	// espeak-ng's version names the cached speech: found now, the
	// welcome's prompt does not wait for it on the UI goroutine.
	r.speech = newSpeech(c)
	r.speech.Warm()
	a := fyneapp.NewWithID("fr.passerelle.kiosk")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon()))
	// The fonts welcome writes with load while the display connection
	// opens and the screen is measured: they were the last thing the
	// first screen waited for.
	fontsLoaded := ui.WarmFonts()
	// The first window starts the toolkit's display connection (GLFW); the
	// screen is measured on it, before the window shows, when the scale is
	// read. On a connection of its own, measuring cost 6 to 14 ms more.
	win := a.NewWindow("Passerelle")
	c.unitMM = applyScale(logger, c.screenSize)
	// Where the sound goes is decided before the sound device opens:
	// the sound opens once, with the environment it has then. Headphones
	// named are looked for now (a pactl call, 10 to 30 ms, while the
	// catalog and the fonts load). Without them the device opens on the
	// default output, and the router, which follows the headphones staff
	// may name later, starts once welcome shows: its pactl calls took
	// the CPU the window needed to open (interleaved runs, medians of 8:
	// 142 -> 123 ms to the window mapped).
	headphones := headphonesSetting(ctx, c, r.db)
	routeLater := routesLater(headphones)
	r.follows = true
	if !routeLater {
		r.router.Store(startRouter(headphones, logger))
	}
	var routing sync.WaitGroup
	defer func() {
		routing.Wait()
		if router := r.router.Load(); router != nil {
			router.Close()
		}
	}()
	// The environment is now settled (the router's, the scale's): C's
	// setenv is not safe beside C code reading the environment on another
	// thread, as the sound libraries do (what runs beside it so far, the
	// catalog's and the fonts' loading, is all Go). The sound device opens
	// while the window does (about a second on PulseAudio): the first
	// prompt waits for it, the first screen does not.
	sink := audio.OpenSinkLater(logger)
	err = r.open(ctx, c, a, win, sink, logger, loading, fontsLoaded, err)
	var unusable *sqlite.OpenError
	switch {
	case errors.As(err, &unusable):
		// Staff read why in the log; users see the kiosk is out of service.
		if unusable.Err != nil {
			logger.Debug("kiosk: the database's error", "err", unusable.Err.Error())
		}
		ui.ShowOutOfService(r.win, r.player, logger, unusable.Error())
	case err != nil:
		return err
	}
	placeWindow(r.win, c)
	// Once the window shows, Go collects as usual again, and what the
	// start left behind goes back to the system at once rather than when
	// Go gets round to it: a kiosk spends most of its day waiting at
	// welcome (12 MB less 3 s after the start). The collection runs beside
	// the first frames.
	a.Lifecycle().SetOnStarted(func() {
		if routeLater {
			// It sets nothing in the environment (routesLater).
			routing.Add(1)
			go func() {
				defer routing.Done()
				r.router.Store(startRouter(headphones, logger))
			}()
		}
		// The faces of the screens after welcome, now that it shows.
		ui.WarmOtherFonts()
		debug.SetGCPercent(gcPercent)
		debug.SetMemoryLimit(memoryLimit)
		go debug.FreeOSMemory()
		// The start's last work, the sound device opened and primed (about
		// a second on PulseAudio) and the router started, leaves its own
		// garbage, given back once both are done (5 MB at 3 s).
		go func() {
			<-sink.Opened()
			routing.Wait()
			ui.ReleaseMemory()
		}()
	})
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	r.win.ShowAndRun()
	if unusable != nil {
		return fmt.Errorf("stopped while out of service: %w", unusable)
	}
	return nil
}

// stopGrace is how long a kiosk may take to stop cleanly after SIGTERM or
// SIGINT: it stops in well under a second.
const stopGrace = 5 * time.Second

// exitIfStuck exits the process, saying so, when it has not stopped within
// grace after ctx ends (the stop signal). A kiosk must stop when its
// session does: a kiosk once stayed up after SIGTERM, and after a second
// one (the toolkit takes the signals too, once), for a reason not seen
// again. Every answer is saved when given: exiting loses nothing.
func exitIfStuck(ctx context.Context, grace time.Duration, logger *slog.Logger, exit func(int)) {
	<-ctx.Done()
	time.Sleep(grace)
	logger.Error("kiosk: still running " + grace.String() + " after the stop signal: exiting without closing cleanly")
	exit(1)
}

// startHeapLimit is how much memory Go may take before it collects, while
// the kiosk starts: the shipped catalog's start peaks at about 45 MB; a
// catalog of hundreds of procedures is collected as it loads.
const startHeapLimit = 128 << 20

// placeWindow shows the kiosk full screen, or in a window of the asked
// size that the user cannot resize.
func placeWindow(win fyne.Window, c kioskConfig) {
	if !c.windowed {
		win.SetFullScreen(true)
		return
	}
	win.SetFixedSize(true)
	win.Resize(fyne.NewSize(c.width, c.height))
}

// running is an open kiosk and what it holds open.
type running struct {
	db      *sqlite.DB
	player  *audio.Player
	win     fyne.Window
	ui      *ui.Kiosk
	speech  *audio.Speech      // the player's speech cache
	catalog string             // the folder the kiosk serves its catalog from
	watcher *procedure.Watcher // serves it
	// router follows where the sound goes; nil: not yet started, or not
	// followed when not follows (tests).
	router  atomic.Pointer[audio.Router]
	follows bool
	closers []func()
}

// Close stops the kiosk and closes what it opened, last opened first.
// Closing twice does nothing.
func (r *running) Close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
	r.closers = nil
}

// openKiosk starts everything but the window's event loop: the database
// (closing sessions a crash interrupted), the catalog watcher, the player
// and the screens, in a window of a. When the database cannot be used, it
// returns its *sqlite.OpenError with the kiosk holding the window and the
// player only, to show it is out of service; on any other error, nil.
func openKiosk(ctx context.Context, c kioskConfig, a fyne.App, sink audio.Sink, logger *slog.Logger) (*running, error) {
	r, err := openDatabase(c)
	if errors.Is(err, sqlite.ErrInUse) {
		return nil, err
	}
	loading := r.loadCatalog(ctx, c, logger, err)
	r.speech = newSpeech(c)
	fontsLoaded := ui.WarmFonts()
	win := a.NewWindow("Passerelle")
	if err := r.open(ctx, c, a, win, sink, logger, loading, fontsLoaded, err); err != nil {
		var unusable *sqlite.OpenError
		if errors.As(err, &unusable) {
			return r, err
		}
		return nil, err
	}
	return r, nil
}

// openDatabase opens the kiosk's database. The error is an
// *sqlite.OpenError; the kiosk returned is never nil, and holds the
// database only when it opened.
func openDatabase(c kioskConfig) (*running, error) {
	r := &running{}
	db := sqlite.NewDB(c.db)
	if err := db.Open(); err != nil {
		return r, err
	}
	r.db = db
	r.closers = append(r.closers, func() { db.Close() })
	return r, nil
}

// newSpeech is the kiosk's speech cache, as its settings say.
func newSpeech(c kioskConfig) *audio.Speech {
	speech := audio.NewSpeech(c.speech, "")
	if c.speechLimit > 0 {
		speech.SetLimit(c.speechLimit)
	}
	return speech
}

// catalogLoad is the catalog the kiosk serves, opening in the background.
type catalogLoad struct {
	done      chan struct{} // closed once the fields below are set
	dir       string        // the folder the catalog is served from
	watcher   *procedure.Watcher
	help      *hubapi.HelpPusher   // a joined kiosk's help push, not started
	startSync func() (stop func()) // the hub's sync, once the environment is settled
	stopSync  func()               // stops it
	err       error
}

// loadCatalog starts opening the catalog (the hub's sync first, which says
// where it is) in the background; r.open waits for it. With dbErr (the
// error of openDatabase) there is nothing to load.
func (r *running) loadCatalog(ctx context.Context, c kioskConfig, logger *slog.Logger, dbErr error) *catalogLoad {
	l := &catalogLoad{done: make(chan struct{}), stopSync: func() {}}
	if dbErr != nil {
		close(l.done)
		return l
	}
	// Whatever r.open does with it, the kiosk closes what it opened.
	r.closers = append(r.closers, func() {
		<-l.done
		// Stopped first: no catalog is installed while the watcher stops.
		l.stopSync()
		if l.watcher != nil {
			l.watcher.Close()
		}
	})
	go func() {
		defer close(l.done)
		l.dir, l.help, l.startSync = hubSync(ctx, c, r.db, logger)
		w := procedure.NewWatcher(l.dir)
		w.Logger = logger
		w.Snapshot = c.db + ".catalog-snapshot" // a restart on an unchanged catalog skips reading it (procedure/snapshot.go)
		if l.err = w.Open(); l.err == nil {
			l.watcher = w
		}
	}()
	return l
}

// open starts the player and the screens in win, the window of a, on the
// catalog loading, then, unless dbErr (the error of openDatabase) says the
// database cannot be used, the rest. It returns dbErr with the window and
// the player open, so that the kiosk can say it is out of service; on any
// other error it closes everything.
func (r *running) open(ctx context.Context, c kioskConfig, a fyne.App, win fyne.Window, sink audio.Sink, logger *slog.Logger, loading *catalogLoad, fontsLoaded <-chan struct{}, dbErr error) (err error) {
	defer func() {
		if err != nil && err != dbErr {
			r.Close()
		}
	}()
	r.win = win
	r.player = audio.NewPlayer(sink, r.speech,
		audio.WithVolume(c.volume), audio.WithRate(c.rate), audio.WithLogger(logger))
	r.closers = append(r.closers, func() { r.player.Close() })
	if dbErr != nil {
		<-fontsLoaded // the out-of-service screen writes
		a.Settings().SetTheme(ui.ThemeFor(c.unitMM, false))
		return dbErr
	}

	// A session left open is one a crash or a power cut interrupted: the
	// kiosk restarts at welcome and keeps what was saved, marked interrupted.
	now := time.Now()
	interrupted, err := r.db.CloseInterrupted(ctx, now)
	if err != nil {
		return err
	}
	if len(interrupted) > 0 {
		logger.Warn("kiosk: sessions interrupted by the last stop were closed", "sessions", len(interrupted))
	}
	// The settings staff saved in staff mode, except those the command
	// line gives: flags given explicitly win, defaults do not.
	live, err := liveSettings(ctx, c, r.db)
	if err != nil {
		logger.Warn("kiosk: some saved settings are not used", "err", err)
	}
	r.player.SetVolume(live.Volume)
	r.player.SetRate(live.Rate)
	var retention atomic.Int64
	retention.Store(int64(live.Retention))
	if n, err := r.db.PurgePersonal(ctx, now.Add(-live.Retention)); err != nil {
		logger.Error("kiosk: purge old personal values", "err", err)
	} else if n > 0 {
		logger.Info("kiosk: personal values past their retention were deleted", "count", n)
	}

	<-loading.done
	if loading.err != nil {
		return loading.err
	}
	r.catalog, r.watcher = loading.dir, loading.watcher
	// The environment is settled now (kiosk): the sync may start.
	loading.stopSync = loading.startSync()
	help := loading.help

	settings := ui.DefaultSettings
	settings.KioskSettings = live
	settings.UnitMM = c.unitMM
	if c.tapGuard > 0 {
		settings.TapGuard = c.tapGuard
	}
	deps := ui.Deps{Catalog: r.watcher, Store: r.db, Player: r.player, Logger: logger,
		Staff: r.db, Sync: r.db, Help: r.db, Pinned: c.given, Quit: a.Quit,
		Figures: r.db, DataDir: filepath.Dir(c.db), SetVolume: r.player.SetVolume,
		OnSettings: func(s passerelle.KioskSettings) {
			r.player.SetVolume(s.Volume)
			r.player.SetRate(s.Rate)
			retention.Store(int64(s.Retention))
			if router := r.router.Load(); router != nil {
				router.SetHeadphones(s.Headphones)
			}
		}}
	if r.follows {
		deps.SoundOutput = r.soundOutput
	}
	if c.printer != "" {
		deps.Printer = lp.Printer{Name: c.printer}
	}
	if help != nil {
		deps.HelpNotifier = help
	}
	<-fontsLoaded // ui.New sets the theme, and measures
	r.ui = ui.New(r.win, deps, settings)
	r.ui.Run()
	r.closers = append(r.closers, r.ui.Close)
	if help != nil {
		// Closed before the screens: no mark is recorded once they stop.
		r.closers = append(r.closers, startHelpPush(help, r.ui, logger))
	}
	purgeCtx, stopPurge := context.WithCancel(ctx)
	go purgeDaily(purgeCtx, r.db, func() time.Duration { return time.Duration(retention.Load()) }, logger)
	r.closers = append(r.closers, stopPurge)
	return nil
}

// purgeDaily deletes typed personal values once they pass their retention.
func purgeDaily(ctx context.Context, db *sqlite.DB, retention func() time.Duration, logger *slog.Logger) {
	tick := time.NewTicker(24 * time.Hour)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if _, err := db.PurgePersonal(ctx, now.Add(-retention())); err != nil {
				logger.Error("kiosk: purge old personal values", "err", err)
			}
		}
	}
}

// liveSettings are the kiosk's settings: the flags' values, with the
// settings staff saved in place of the flags not given.
func liveSettings(ctx context.Context, c kioskConfig, db passerelle.StaffStore) (passerelle.KioskSettings, error) {
	flags := passerelle.KioskSettings{Inactivity: c.inactivity, StillThereWait: c.stillThere, ElsewhereWait: c.elsewhere,
		Volume: c.volume, Rate: c.rate, Retention: c.retention, Scanning: c.scan, ScanEvery: c.scanEvery,
		MinPress: c.minPress, IgnoreRepeat: c.repeat, LargeText: c.largeText, Headphones: c.headphones}
	saved, err := db.SavedSettings(ctx)
	if err != nil {
		return flags, err
	}
	return flags.WithSaved(saved, c.given)
}

// startRouter follows where the sound goes, for the headphones named ("":
// none).
func startRouter(headphones string, logger *slog.Logger) *audio.Router {
	router := audio.NewRouter(headphones, logger)
	router.Follow()
	return router
}

// routesLater reports whether the router may start after the sound device
// opens: without headphones it sets nothing in the environment the device
// opens with, but for an empty PULSE_SINK, which it clears (an empty one
// names no sink: the device would not open).
func routesLater(headphones string) bool {
	sink, set := os.LookupEnv("PULSE_SINK")
	return headphones == "" && (!set || sink != "")
}

// soundOutput says where the prompts are heard: the default output until
// the router, which starts once welcome shows when no headphones are
// named, says otherwise.
func (r *running) soundOutput() passerelle.SoundOutput {
	if router := r.router.Load(); router != nil {
		return router.Output()
	}
	return passerelle.SoundOutput{Says: "the default output (no headphones are set)"}
}

// headphonesSetting is the headphones the kiosk's settings name: the
// flag's, or what staff saved when the database opened and no flag wins.
func headphonesSetting(ctx context.Context, c kioskConfig, db *sqlite.DB) string {
	if db == nil {
		return c.headphones
	}
	// A saved value that does not read is reported when the kiosk opens.
	live, _ := liveSettings(ctx, c, db)
	return live.Headphones
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
