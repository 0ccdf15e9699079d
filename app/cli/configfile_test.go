package cli

import (
	"bufio"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// writeConf writes a configuration file in a folder of the test's and
// returns its path.
func writeConf(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "passerelle.conf")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestKioskReadsConfigFile: the file's values replace the defaults, a
// flag on the command line replaces the file's, and only the command
// line's flags are pinned against the settings staff save.
func TestKioskReadsConfigFile(t *testing.T) {
	for _, tc := range []struct {
		name       string
		file       string
		args       []string
		inactivity time.Duration
		elsewhere  time.Duration
		volume     float64
		pinned     []string
		notPinned  []string
	}{
		{"no file: the defaults", "", nil, 90 * time.Second, 10 * time.Minute, 1, nil, []string{"inactivity"}},
		{"the file's values", "[kiosk]\ninactivity = 2m\nvolume = 0.5\n", nil, 2 * time.Minute, 10 * time.Minute, 0.5, nil, []string{"inactivity", "volume"}},
		{"a flag wins over the file", "[kiosk]\ninactivity = 2m\n", []string{"-inactivity", "3m"}, 3 * time.Minute, 10 * time.Minute, 1, []string{"inactivity"}, nil},
		{"the hub's section is not the kiosk's", "[hub]\nlisten = 127.0.0.1:9000\n[kiosk]\nrate = 120\n", nil, 90 * time.Second, 10 * time.Minute, 1, nil, nil},
		{"a long inactivity carries over to steps done elsewhere", "[kiosk]\ninactivity = 20m\n", nil, 20 * time.Minute, 20 * time.Minute, 1, nil, nil},
		{"the file's elsewhere-wait is kept as given", "[kiosk]\ninactivity = 5m\nelsewhere-wait = 6m\n", nil, 5 * time.Minute, 6 * time.Minute, 1, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"-db", filepath.Join(dir, "kiosk.db")}, tc.args...)
			if tc.file != "" {
				args = append(args, "-config", writeConf(t, tc.file))
			}
			c, err := parseKiosk(args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if c.inactivity != tc.inactivity || c.elsewhere != tc.elsewhere || c.volume != tc.volume {
				t.Errorf("inactivity %s, elsewhere %s, volume %v; want %s, %s, %v",
					c.inactivity, c.elsewhere, c.volume, tc.inactivity, tc.elsewhere, tc.volume)
			}
			for _, name := range tc.pinned {
				if !c.given[name] {
					t.Errorf("-%s is not pinned: staff's saved setting would replace the command line's", name)
				}
			}
			for _, name := range tc.notPinned {
				if c.given[name] {
					t.Errorf("-%s is pinned: staff could not change it in staff mode", name)
				}
			}
		})
	}
}

// TestConfigFileMistakes: a mistake in the file stops the command with
// one sentence naming the file, the line and what is wrong.
func TestConfigFileMistakes(t *testing.T) {
	for _, tc := range []struct {
		name string
		cmd  string // kiosk or hub
		file string
		says []string // CONF is the file's path
	}{
		{"an unknown setting", "kiosk", "[kiosk]\n\ninactivty = 2m\n", []string{"CONF:3:", `no setting "inactivty" in [kiosk]`, "inactivity"}},
		{"a hub setting under [kiosk]", "kiosk", "[kiosk]\nlisten = 127.0.0.1:8750\n", []string{"CONF:2:", `no setting "listen" in [kiosk]`}},
		{"config set in the file", "kiosk", "[kiosk]\nconfig = /etc/other.conf\n", []string{"CONF:2:", `no setting "config"`}},
		{"a duration without its unit", "kiosk", "[kiosk]\ninactivity = 90\n", []string{"CONF:2:", "inactivity = 90 is not a duration like 90s or 5m"}},
		{"a volume that is not a number", "kiosk", "[kiosk]\nvolume = loud\n", []string{"CONF:2:", "volume = loud is not a number"}},
		{"a rate that is not a whole number", "kiosk", "[kiosk]\nrate = 1.5\n", []string{"CONF:2:", "rate = 1.5 is not a whole number"}},
		{"a yes for true", "kiosk", "[kiosk]\nwindowed = yes\n", []string{"CONF:2:", "windowed = yes is not true or false"}},
		{"a value out of its range", "kiosk", "[kiosk]\nvolume = 1\ninactivity = 5s\n", []string{"CONF:3: -inactivity 5s is out of range", "from 20s to 30m"}},
		{"a window size out of range", "kiosk", "[kiosk]\nsize = 640x480\n", []string{"CONF:2: -size", "800x480"}},
		{"a line that is not a setting", "kiosk", "[kiosk]\ninactivity: 2m\n", []string{"CONF:2:", "is not a setting"}},
		{"the hub: an address without its port", "hub", "[hub]\ncatalog = DIR\nlisten = 127.0.0.1\n", []string{"CONF:3: -listen", "127.0.0.1:8750"}},
		{"the hub: in clear on every interface", "hub", "[hub]\ncatalog = DIR\nlisten = 0.0.0.0:8750\n", []string{"CONF:3: -listen 0.0.0.0:8750", "-allow-plain-http"}},
		{"the hub: a kiosk setting", "hub", "[hub]\ninactivity = 2m\n", []string{"CONF:2:", `no setting "inactivity" in [hub]`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			conf := writeConf(t, strings.ReplaceAll(tc.file, "DIR", dir))
			var err error
			switch tc.cmd {
			case "kiosk":
				_, err = parseKiosk([]string{"-db", filepath.Join(dir, "kiosk.db"), "-config", conf}, io.Discard)
			case "hub":
				_, err = parseHub(newCommand("hub", hubSynopsis), []string{"-db", filepath.Join(dir, "hub.db"), "-config", conf})
			}
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			for _, s := range tc.says {
				if s = strings.ReplaceAll(s, "CONF", conf); !strings.Contains(msg, s) {
					t.Errorf("%q does not say %q", msg, s)
				}
			}
		})
	}
}

func TestConfigFileMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "passerelle.conf")
	db := filepath.Join(t.TempDir(), "kiosk.db")

	// Given with -config, a missing file is a mistake.
	if _, err := parseKiosk([]string{"-db", db, "-config", missing}, io.Discard); err == nil || !strings.Contains(err.Error(), "-config "+missing+": there is no such file") {
		t.Errorf("a missing -config file: %v", err)
	}

	// The default file missing: the defaults, as on a PC where the
	// administrator removed it.
	saved := configFile
	t.Cleanup(func() { configFile = saved })
	configFile = missing
	c, err := parseKiosk([]string{"-db", db}, io.Discard)
	if err != nil {
		t.Fatalf("the default file missing: %v", err)
	}
	if c.inactivity != 90*time.Second {
		t.Errorf("inactivity %s, want the default", c.inactivity)
	}

	// The default file present: read without -config.
	configFile = writeConf(t, "[kiosk]\ninactivity = 4m\n")
	if c, err = parseKiosk([]string{"-db", db}, io.Discard); err != nil || c.inactivity != 4*time.Minute {
		t.Errorf("the default file: inactivity %s, %v; want 4m", c.inactivity, err)
	}
}

// TestShippedConfigDocumentsEveryFlag: the package's configuration file
// names every flag of the kiosk and of the hub, in its section; a setting
// commented out shows the flag's real default. A flag added later without
// its line here fails this test.
func TestShippedConfigDocumentsEveryFlag(t *testing.T) {
	documented := readShippedConf(t, "../../packaging/passerelle.conf")
	var kc kioskConfig
	var size, speechLimit, screenSize string
	var hc hubConfig
	for section, fs := range map[string]*flag.FlagSet{
		"kiosk": kioskFlags(&kc, &size, &speechLimit, &screenSize),
		"hub":   func() *flag.FlagSet { fs := flag.NewFlagSet("hub", flag.ContinueOnError); hubFlags(fs, &hc); return fs }(),
	} {
		fs.VisitAll(func(f *flag.Flag) {
			d, ok := documented[section][f.Name]
			if !ok {
				t.Errorf("[%s] %s is not in the configuration file", section, f.Name)
				return
			}
			if !d.commented {
				return // set for the package, like the paths
			}
			if err := fs.Set(f.Name, d.value); err != nil {
				t.Errorf("[%s] #%s = %s: %v", section, f.Name, d.value, err)
				return
			}
			if got := f.Value.String(); got != f.DefValue {
				t.Errorf("[%s] #%s = %s, but its default is %s", section, f.Name, d.value, f.DefValue)
			}
		})
		for name := range documented[section] {
			if fs.Lookup(name) == nil {
				t.Errorf("[%s] %s is documented but is no flag", section, name)
			}
		}
	}
}

// documentedSetting is a line of the shipped file, set or commented out.
type documentedSetting struct {
	value     string
	commented bool
}

var settingLine = regexp.MustCompile(`^(#?)([a-z][a-z-]*) =(?: (.*))?$`)

func readShippedConf(t *testing.T, path string) map[string]map[string]documentedSetting {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	settings := map[string]map[string]documentedSetting{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "["); ok {
			section = strings.TrimSuffix(name, "]")
			settings[section] = map[string]documentedSetting{}
			continue
		}
		if m := settingLine.FindStringSubmatch(line); m != nil && section != "" {
			settings[section][m[2]] = documentedSetting{value: m[3], commented: m[1] == "#"}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return settings
}
