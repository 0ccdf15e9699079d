// Package passerelle holds the domain of the kiosk: procedures and their
// steps, the catalog that groups them, and the interfaces the other packages
// implement (catalog source, store, player). It imports no toolkit, database
// or audio backend: every other package depends on it, never the reverse.
package passerelle

import "sort"

// Lang is a language code as used in procedure files: "fr", "en", "ar".
type Lang string

// Language describes a language the kiosk can speak and show.
type Language struct {
	Code   Lang
	Native string // the language's name in itself, spoken when a user touches it
	French string // its name in French, for staff
	Voice  string // the espeak-ng voice used when no recording exists
	RTL    bool   // written right to left
}

// Languages lists every language a procedure may use. A code outside this
// table is a mistake in a procedure file, not a new language: adding one
// means checking that a voice exists for it.
var Languages = []Language{
	{Code: "fr", Native: "Français", French: "français", Voice: "fr"},
	{Code: "en", Native: "English", French: "anglais", Voice: "en"},
	{Code: "ar", Native: "العربية", French: "arabe", Voice: "ar", RTL: true},
	{Code: "es", Native: "Español", French: "espagnol", Voice: "es"},
	{Code: "pt", Native: "Português", French: "portugais", Voice: "pt"},
	{Code: "ro", Native: "Română", French: "roumain", Voice: "ro"},
	{Code: "tr", Native: "Türkçe", French: "turc", Voice: "tr"},
	{Code: "uk", Native: "Українська", French: "ukrainien", Voice: "uk"},
	{Code: "ru", Native: "Русский", French: "russe", Voice: "ru"},
	{Code: "fa", Native: "فارسی", French: "persan (dari)", Voice: "fa", RTL: true},
}

// LookupLanguage returns the language with the given code.
func LookupLanguage(code Lang) (Language, bool) {
	for _, l := range Languages {
		if l.Code == code {
			return l, true
		}
	}
	return Language{}, false
}

// Text is one sentence or label in every language of a procedure.
type Text map[Lang]string

// Langs returns the languages the text exists in, French first, then in the
// order of the Languages table, so lists shown to staff are stable.
func (t Text) Langs() []Lang {
	langs := make([]Lang, 0, len(t))
	for l := range t {
		langs = append(langs, l)
	}
	SortLangs(langs)
	return langs
}

// SortLangs orders codes as the Languages table does; unknown codes go last,
// alphabetically.
func SortLangs(langs []Lang) {
	rank := func(l Lang) int {
		for i, known := range Languages {
			if known.Code == l {
				return i
			}
		}
		return len(Languages)
	}
	sort.Slice(langs, func(i, j int) bool {
		ri, rj := rank(langs[i]), rank(langs[j])
		if ri != rj {
			return ri < rj
		}
		return langs[i] < langs[j]
	})
}
