package passerelle

import (
	"strings"
	"testing"
	"time"
)

func TestCheckNewPIN(t *testing.T) {
	for _, tc := range []struct {
		name, pin string
		refused   string // in the message; "" when accepted
	}{
		{"four digits", "4806", ""},
		{"eight digits", "48061397", ""},
		{"a year", "1987", ""},
		{"too short", "481", "4 to 8 digits"},
		{"too long", "480613972", "4 to 8 digits"},
		{"a letter", "48a6", "4 to 8 digits"},
		{"a space", "48 06", "4 to 8 digits"},
		{"arabic-indic digits", "٤٨٠٦", "4 to 8 digits"},
		{"empty", "", "4 to 8 digits"},
		{"zeros", "0000", "one digit repeated"},
		{"nines", "99999999", "one digit repeated"},
		{"up", "1234", "follow each other"},
		{"up past nine", "7890", "follow each other"},
		{"down", "87654", "follow each other"},
		{"a pair repeated", "1212", "12 repeated"},
		{"three repeated", "123123", "123 repeated"},
		{"four repeated", "48614861", "4861 repeated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckNewPIN(tc.pin)
			switch {
			case tc.refused == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.refused != "" && (err == nil || !strings.Contains(err.Error(), tc.refused)):
				t.Errorf("got %v, want a refusal saying %q", err, tc.refused)
			}
		})
	}
}

func TestPINDelayGrowsToAnHour(t *testing.T) {
	want := []time.Duration{0, 0, 0, 5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second}
	for n, w := range want {
		if got := PINDelay(n); got != w {
			t.Errorf("after %d wrong PINs: %v, want %v", n, got, w)
		}
	}
	if got := PINDelay(1000); got != time.Hour {
		t.Errorf("after 1000 wrong PINs: %v, want an hour", got)
	}
	last := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := PINFailures{Count: 4, Last: last}
	if got := f.Wait(last.Add(-24 * time.Hour)); got != 10*time.Second {
		t.Errorf("clock set back a day: wait %v, want the delay, 10s", got)
	}
	if got := f.Wait(last.Add(4 * time.Second)); got != 6*time.Second {
		t.Errorf("4s after: wait %v, want 6s", got)
	}
}

func TestParsePINHashRefusesWhatItShouldNotRun(t *testing.T) {
	good := HashPIN("4806", PINParams{Memory: 64, Time: 1, Threads: 1})
	if _, _, _, err := ParsePINHash(good); err != nil {
		t.Fatalf("its own hash: %v", err)
	}
	for name, h := range map[string]string{
		"empty":          "",
		"bcrypt":         "$2a$10$abcdefghijklmnopqrstuv",
		"argon2i":        strings.Replace(good, "argon2id", "argon2i", 1),
		"a terabyte":     strings.Replace(good, "m=64,", "m=1073741824,", 1),
		"zero passes":    strings.Replace(good, "t=1,", "t=0,", 1),
		"no salt":        good[:strings.LastIndex(good[:strings.LastIndex(good, "$")], "$")] + "$$" + good[strings.LastIndex(good, "$")+1:],
		"not base64 key": good[:strings.LastIndex(good, "$")] + "$!!!!",
	} {
		if _, _, _, err := ParsePINHash(h); err == nil {
			t.Errorf("%s: read %q", name, h)
		} else if !strings.Contains(err.Error(), "passerelle pin") {
			t.Errorf("%s: %v does not say what to do", name, err)
		}
	}
}

func TestKioskSettings(t *testing.T) {
	for _, tc := range []struct {
		name, setting, value string
		refused              bool
	}{
		{"shortest inactivity", SettingInactivity, "20s", false},
		{"inactivity too short", SettingInactivity, "19s", true},
		{"inactivity not a duration", SettingInactivity, "90", true},
		{"still there too long", SettingStillThere, "6m", true},
		{"keep nothing", SettingRetention, "0s", false},
		{"keep past a year", SettingRetention, "8785h", true},
		{"silent", SettingVolume, "0", false},
		{"too loud", SettingVolume, "1.5", true},
		{"not a number", SettingVolume, "NaN", true},
		{"slowest speech", SettingRate, "80", false},
		{"too fast", SettingRate, "451", true},
		{"languages", SettingLangs, "fr, ar", false},
		{"an unknown language", SettingLangs, "fr,xx", true},
		{"scanning on", SettingScan, "true", false},
		{"scanning off", SettingScan, "false", false},
		{"scanning neither on nor off", SettingScan, "sometimes", true},
		{"fastest ring", SettingScanEvery, "0.5s", false},
		{"slowest ring", SettingScanEvery, "10s", false},
		{"ring too fast", SettingScanEvery, "499ms", true},
		{"ring too slow", SettingScanEvery, "11s", true},
		{"ring not a duration", SettingScanEvery, "1.5", true},
		{"every touch taken", SettingMinPress, "0s", false},
		{"a press of a fifth of a second", SettingMinPress, "200ms", false},
		{"a press too long to ask", SettingMinPress, "2.1s", true},
		{"a press of minus one", SettingMinPress, "-1ms", true},
		{"repeats taken", SettingRepeat, "0s", false},
		{"repeats within 3s ignored", SettingRepeat, "3s", false},
		{"repeats ignored too long", SettingRepeat, "4s", true},
		{"repeat in bare milliseconds", SettingRepeat, "300", true},
		{"large text on", SettingLargeText, "true", false},
		{"large text off", SettingLargeText, "0", false},
		{"large text neither on nor off", SettingLargeText, "bigger", true},
		{"an unknown setting", "colour", "red", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultKioskSettings
			err := s.Set(tc.setting, tc.value)
			if (err != nil) != tc.refused {
				t.Fatalf("Set(%s, %s): %v, refused %v wanted", tc.setting, tc.value, err, tc.refused)
			}
			if err != nil && strings.Contains(err.Error(), "like 90s") && strings.HasSuffix(tc.value, "ms") {
				t.Errorf("a setting in milliseconds is told %q", err)
			}
			if err == nil {
				var back KioskSettings
				if err := back.Set(tc.setting, s.Value(tc.setting)); err != nil || back.Value(tc.setting) != s.Value(tc.setting) {
					t.Errorf("%s does not read back: %q, %v", tc.setting, s.Value(tc.setting), err)
				}
			}
		})
	}
	if err := DefaultKioskSettings.Validate(); err != nil {
		t.Errorf("the defaults are refused: %v", err)
	}
	s := DefaultKioskSettings
	s.Inactivity = 20 * time.Minute
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "elsewhere-wait") {
		t.Errorf("elsewhere shorter than inactivity: %v", err)
	}
}

func TestSavedSettingsYieldToTheCommandLine(t *testing.T) {
	flags := DefaultKioskSettings
	flags.Rate = 200 // -rate 200 given
	saved := map[string]string{SettingRate: "100", SettingInactivity: "3m", SettingVolume: "loud", SettingLangs: "ar"}
	got, err := flags.WithSaved(saved, map[string]bool{SettingRate: true})
	if got.Rate != 200 || got.Inactivity != 3*time.Minute || got.Volume != 1 || len(got.Langs) != 1 {
		t.Errorf("got %+v: want the flag's rate, the saved inactivity and languages, the default volume", got)
	}
	if err == nil || !strings.Contains(err.Error(), "volume") || !strings.Contains(err.Error(), "uses 1") {
		t.Errorf("the unreadable volume is not reported: %v", err)
	}
	long := DefaultKioskSettings
	if long, _ = long.WithSaved(map[string]string{SettingInactivity: "20m"}, nil); long.ElsewhereWait != 20*time.Minute {
		t.Errorf("a saved inactivity of 20m leaves elsewhere-wait at %v", long.ElsewhereWait)
	}
}

// BenchmarkHashPIN measures checking a PIN at the default costs: about
// 0.4 s is wanted on the kiosk's PC.
func BenchmarkHashPIN(b *testing.B) {
	for b.Loop() {
		HashPIN("480613", DefaultPINParams)
	}
}
