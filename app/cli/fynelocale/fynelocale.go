// Package fynelocale keeps Fyne from printing "Fyne error: Error parsing
// user locale" when the environment names a locale that is not a language
// tag, like LANG=C.UTF-8 (the default of containers and many services).
//
// Fyne reads the locale when its lang package is initialised, before main
// runs, and logs every name golang.org/x/text cannot parse. Go initialises
// packages in import-path order as soon as their imports are (Go 1.21
// spec): this package imports nothing of Fyne's and sorts before
// text/template, which Fyne's lang needs, so its init runs first. It only
// sets LANGUAGE, which Fyne reads before LANG and which changes nothing
// for a program whose locale is C; the C library does not read it then.
//
// Import it for its effect: import _ "passerelle/app/cli/fynelocale".
package fynelocale

import (
	"os"
	"strings"

	"golang.org/x/text/language"
)

func init() { Normalise() }

// Normalise sets LANGUAGE to the locales Fyne can parse, "en" when none,
// if the environment holds one it cannot. It reads the variables in the
// order Fyne's locale lookup (github.com/jeandeaual/go-locale) does.
func Normalise() {
	var locale string
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = os.Getenv(name); locale != "" {
			break
		}
	}
	if locale == "C" || locale == "POSIX" {
		return // Fyne takes these as "en" without a message
	}
	list := os.Getenv("LANGUAGE")
	if list == "" {
		list = locale
	}
	if list == "" {
		return
	}
	all := strings.Split(list, ":")
	var good []string
	for _, l := range all {
		if parses(l) {
			good = append(good, l)
		}
	}
	if len(good) == len(all) {
		return
	}
	if len(good) == 0 {
		good = []string{"en"}
	}
	os.Setenv("LANGUAGE", strings.Join(good, ":"))
}

// parses tells whether Fyne can turn a POSIX locale name (fr_FR.UTF-8)
// into a language tag, as it does: encoding dropped, "_" for "-".
func parses(locale string) bool {
	name, _, _ := strings.Cut(locale, ".")
	name = strings.ReplaceAll(name, "-", "_")
	lang, region, _ := strings.Cut(name, "_")
	tag := lang
	if region != "" {
		tag += "-" + region
	}
	_, err := language.Parse(tag)
	return err == nil
}
