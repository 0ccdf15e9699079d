package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"passerelle/app/audio"
	"passerelle/app/passerelle"
	"passerelle/app/ui"
)

// kioskConfig is what the kiosk subcommand reads from its flags.
type kioskConfig struct {
	catalog     string
	db          string
	speech      string
	speechLimit int64 // bytes of synthesised speech kept on disk
	windowed    bool
	width       float32 // of the window when windowed
	height      float32
	inactivity  time.Duration
	stillThere  time.Duration
	elsewhere   time.Duration // inactivity on a step done on another device
	retention   time.Duration
	volume      float64
	rate        int
	tapGuard    time.Duration // 0: the default
	syncEvery   time.Duration // between syncs with the hub; 0: the default
	helpPoll    time.Duration // between asks for the hub's marks while a help call is open; 0: the default
	debug       bool          // log the toolkit's diagnostics too
	printer     string        // CUPS destination of the receipt printer; "": none
	scan        bool          // one-switch scanning
	scanEvery   time.Duration // between moves of the scanning ring
	minPress    time.Duration // touches held less are ignored; 0: off
	repeat      time.Duration // touches this soon after the last are ignored; 0: off
	headphones  string        // the sound output prompts go to when plugged in; "": the default
	largeText   bool          // text half as large again, for low vision
	screenSize  physicalSize  // the screen's size given by -screen-size; zero: the system's
	unitMM      float64       // a unit's length on the screen, found at start; 0: unknown
	// given names the flags on the command line: they win over the
	// settings staff saved.
	given map[string]bool
}

// The ranges of the kiosk's settings: outside them a kiosk in a public
// place would not work (a question covering every screen at once, a
// session ended before anyone can answer, speech too fast to follow).
// They are the domain's, so that staff mode checks the same.
const (
	minInactivity, maxInactivity = passerelle.MinInactivity, passerelle.MaxInactivity
	minStillThere, maxStillThere = passerelle.MinStillThere, passerelle.MaxStillThere
	minElsewhere, maxElsewhere   = passerelle.MinElsewhere, passerelle.MaxElsewhere
	maxRetention                 = passerelle.MaxRetention
	minWidth, minHeight          = 800, 480 // the smallest kiosk screens
	maxWidth, maxHeight          = 7680, 4320
	minSpeechCache               = 20 << 20
	maxSpeechCache               = 50 << 30
	minScanEvery, maxScanEvery   = passerelle.MinScanEvery, passerelle.MaxScanEvery
)

// parseKiosk reads the kiosk's flags and checks every value: a value out
// of its range is refused with a sentence naming the flag and its range.
func parseKiosk(args []string, stderr io.Writer) (kioskConfig, error) {
	var c kioskConfig
	var size, speechLimit, screenSize string
	fs := kioskFlags(&c, &size, &speechLimit, &screenSize)
	fs.SetOutput(stderr)
	configPath := configFlag(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, errUsage
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	// Only the command line's flags win over the settings staff saved:
	// the configuration file's values are defaults, as the flags' are.
	c.given = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { c.given[f.Name] = true })
	from, err := applyConfig(fs, *configPath, "kiosk")
	if err != nil {
		return c, err
	}
	if !c.given["elsewhere-wait"] && from["elsewhere-wait"] == "" {
		// A long -inactivity alone carries over to steps done elsewhere.
		c.elsewhere = max(c.elsewhere, c.inactivity)
	}
	if c.width, c.height, err = parseSize(size); err != nil {
		return c, from.locate(err)
	}
	if c.screenSize, err = parsePhysicalSize(screenSize); err != nil {
		return c, from.locate(fmt.Errorf("-screen-size %q: %w", screenSize, err))
	}
	if c.speechLimit, err = parseBytes(speechLimit); err != nil {
		return c, from.locate(fmt.Errorf("-speech-cache-size %s: %w", speechLimit, err))
	}
	if err := kioskFile(c.db); err != nil {
		return c, from.locate(err)
	}
	if c.printer != "" && !cupsName.MatchString(c.printer) {
		return c, from.locate(fmt.Errorf("-printer %q is not a CUPS printer name: letters, digits, - and _, as lpstat -p lists them", c.printer))
	}
	return c, from.locate(c.check())
}

// kioskFlags defines the kiosk's flags, into c and the strings parseKiosk
// reads further.
func kioskFlags(c *kioskConfig, size, speechLimit, screenSize *string) *flag.FlagSet {
	fs := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	fs.StringVar(&c.catalog, "catalog", DefaultCatalog, "folder of procedures")
	fs.StringVar(&c.db, "db", defaultDataPath("kiosk.db"), "the kiosk's database file")
	fs.StringVar(&c.speech, "speech-cache", defaultCachePath("speech"), "folder of synthesised speech")
	fs.StringVar(speechLimit, "speech-cache-size", formatBytes(audio.DefaultCacheLimit),
		"disk space the synthesised speech may take, 20MB to 50GB: the speech used least recently is deleted, and made again when needed")
	fs.BoolVar(&c.windowed, "windowed", false, "run in a window instead of full screen")
	fs.StringVar(size, "size", "1024x768", "window size when windowed, from 800x480")
	fs.DurationVar(&c.inactivity, "inactivity", ui.DefaultSettings.Inactivity, "time without a touch before \"are you still there?\", 20s to 30m")
	fs.DurationVar(&c.stillThere, "still-there", ui.DefaultSettings.StillThereWait, "time the question waits before the session ends, 10s to 5m")
	fs.DurationVar(&c.elsewhere, "elsewhere-wait", ui.DefaultSettings.ElsewhereWait,
		"on a step done on the person's phone or another computer, time without a touch before \"are you still there?\", 2m to 1h, and not shorter than -inactivity")
	fs.DurationVar(&c.retention, "retention", 30*24*time.Hour, "how long typed personal values are kept, 0s (not at all) to 8784h (a year)")
	fs.Float64Var(&c.volume, "volume", 1, "volume, 0 (silent) to 1")
	fs.IntVar(&c.rate, "rate", 150, fmt.Sprintf("speech rate, %d to %d words per minute", audio.MinRate, audio.MaxRate))
	fs.BoolVar(&c.debug, "debug", false, "also log diagnostics meant for developers")
	fs.StringVar(&c.printer, "printer", "", "CUPS name of a receipt printer (lpstat -p lists them): the end screen then offers to print its summary")
	fs.BoolVar(&c.scan, "scan", false, "one-switch scanning: the focus ring moves by itself and any key acts on what it is on")
	fs.DurationVar(&c.scanEvery, "scan-every", ui.DefaultSettings.ScanEvery, "with -scan, time between two moves of the ring, 0.5s to 10s")
	fs.DurationVar(&c.minPress, "min-press", 0, "for a hand that trembles, touches held less than this are ignored, 0s (off) to 2s")
	fs.DurationVar(&c.repeat, "ignore-repeat", 0, "for a hand that trembles, a touch this soon after the last one taken is ignored, 0s (off) to 3s")
	fs.StringVar(&c.headphones, "headphones", "", "the headphones prompts go to when they are plugged in: a sink's name as pactl list short sinks writes it, or a card's as aplay -l writes it; empty: the default output")
	fs.BoolVar(&c.largeText, "large-text", false, "text half as large again, for people with low vision")
	fs.StringVar(screenSize, "screen-size", "",
		"the screen's size when the system does not say it, or says it wrong: its diagonal, like 10.1in, or WIDTHxHEIGHT in millimetres, like 217x136mm; empty: the system's")
	return fs
}

// cupsName is a CUPS destination name as staff type it (CUPS itself also
// refuses spaces, / and #); never starting with "-", which lp would read
// as an option.
var cupsName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,126}$`)

// errUsage is a flag the flag package already reported.
var errUsage = errors.New("usage")

// check refuses settings outside their range.
func (c kioskConfig) check() error {
	durations := []struct {
		flag     string
		v        time.Duration
		min, max time.Duration
	}{
		{"-inactivity", c.inactivity, minInactivity, maxInactivity},
		{"-still-there", c.stillThere, minStillThere, maxStillThere},
		{"-elsewhere-wait", c.elsewhere, minElsewhere, maxElsewhere},
		{"-retention", c.retention, 0, maxRetention},
		{"-scan-every", c.scanEvery, minScanEvery, maxScanEvery},
		{"-min-press", c.minPress, 0, passerelle.MaxMinPress},
		{"-ignore-repeat", c.repeat, 0, passerelle.MaxIgnoreRepeat},
	}
	for _, d := range durations {
		if d.v < d.min || d.v > d.max {
			return fmt.Errorf("%s %s is out of range: give a duration from %s to %s", d.flag, plainDuration(d.v), plainDuration(d.min), plainDuration(d.max))
		}
	}
	if c.elsewhere < c.inactivity {
		return fmt.Errorf("-elsewhere-wait %s is shorter than -inactivity %s: a person working on their phone would be asked sooner than one at the kiosk; give at least %s",
			plainDuration(c.elsewhere), plainDuration(c.inactivity), plainDuration(c.inactivity))
	}
	if !(c.volume >= 0 && c.volume <= 1) { // NaN too
		return fmt.Errorf("-volume %v is out of range: give a number from 0 (silent) to 1 (full)", c.volume)
	}
	if c.rate < audio.MinRate || c.rate > audio.MaxRate {
		return fmt.Errorf("-rate %d is out of range: give a speech rate from %d to %d words per minute", c.rate, audio.MinRate, audio.MaxRate)
	}
	if c.speechLimit < minSpeechCache || c.speechLimit > maxSpeechCache {
		return fmt.Errorf("-speech-cache-size %s is out of range: give a size from %s to %s",
			formatBytes(c.speechLimit), formatBytes(minSpeechCache), formatBytes(maxSpeechCache))
	}
	if err := new(passerelle.KioskSettings).Set(passerelle.SettingHeadphones, c.headphones); err != nil {
		return fmt.Errorf("-%w", err)
	}
	for flag, path := range map[string]string{"-catalog": c.catalog, "-db": c.db, "-speech-cache": c.speech} {
		if strings.TrimSpace(path) == "" {
			return fmt.Errorf("%s is empty: give a path", flag)
		}
	}
	return nil
}

// plainDuration writes d as staff would type it: 30m, not 30m0s.
func plainDuration(d time.Duration) string {
	s := d.String()
	s, _ = strings.CutSuffix(s, "m0s")
	if s != d.String() {
		s += "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}

// parseSize reads WIDTHxHEIGHT, in whole units, within the screens a
// kiosk may have.
func parseSize(s string) (width, height float32, err error) {
	bad := fmt.Errorf("-size %q: give WIDTHxHEIGHT, from %dx%d to %dx%d, like 1024x768", s, minWidth, minHeight, maxWidth, maxHeight)
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	if !ok {
		return 0, 0, bad
	}
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if err1 != nil || err2 != nil || w < minWidth || h < minHeight || w > maxWidth || h > maxHeight {
		return 0, 0, bad
	}
	return float32(w), float32(h), nil
}

// parseBytes reads a size like 300MB or 2GB (binary multiples: 1MB is
// 1024 KB); a number alone is bytes.
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		scale  int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}}
	t := strings.ToUpper(strings.TrimSpace(s))
	scale := int64(1)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, scale = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.scale
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(n) || n < 0 || n > float64(math.MaxInt64/scale) {
		return 0, errors.New("give a size like 300MB or 2GB")
	}
	return int64(n * float64(scale)), nil
}

// formatBytes writes n in MB or GB, as parseBytes reads it.
func formatBytes(n int64) string {
	if n >= 1<<30 && n%(1<<30) == 0 {
		return fmt.Sprintf("%dGB", n>>30)
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', -1, 64) + "MB"
}
