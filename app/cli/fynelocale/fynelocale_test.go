package fynelocale

import (
	"os"
	"testing"
)

func TestNormalise(t *testing.T) {
	for _, tc := range []struct {
		name                              string
		lcAll, lcMessages, lang, language string
		want                              string // LANGUAGE after; "unset" when left unset
	}{
		{"nothing set", "", "", "", "", "unset"},
		{"C", "", "", "C", "", "unset"},
		{"POSIX", "", "", "POSIX", "", "unset"},
		{"a locale Fyne parses", "", "", "fr_FR.UTF-8", "", "unset"},
		{"C.UTF-8", "", "", "C.UTF-8", "", "en"},
		{"a modifier", "", "", "fr_FR@euro", "", "en"},
		{"an unknown language", "", "", "zz_ZZ.UTF-8", "", "en"},
		{"LC_ALL wins over LANG", "C.UTF-8", "", "fr_FR.UTF-8", "", "en"},
		{"LC_MESSAGES before LANG", "", "fr_FR.UTF-8", "C.UTF-8", "", "unset"},
		{"a good LANGUAGE list", "", "", "C.UTF-8", "fr:en", "fr:en"},
		{"a LANGUAGE list with a bad entry", "", "", "fr_FR.UTF-8", "fr:C:ar_MA", "fr:ar_MA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, v := range map[string]string{"LC_ALL": tc.lcAll, "LC_MESSAGES": tc.lcMessages, "LANG": tc.lang, "LANGUAGE": tc.language} {
				t.Setenv(name, v)
				if v == "" {
					os.Unsetenv(name)
				}
			}
			Normalise()
			got, set := os.LookupEnv("LANGUAGE")
			if !set {
				got = "unset"
			}
			if got != tc.want {
				t.Errorf("LANGUAGE = %q, want %q", got, tc.want)
			}
		})
	}
}
