package ui

import (
	"strings"

	"passerelle/app/passerelle"
)

// summaryFor is what a person takes away from an end step, in their
// language: the procedure, what to bring, what to do next, where to get
// help (places open now first). The QR code and the printed slip carry
// this same text. It is cut to fit a QR code a cheap phone reads: places
// are left out from the last one down to the first, then the sentence is
// shortened, and only then the first place goes.
func summaryFor(p *passerelle.Procedure, st *passerelle.Step, places []*passerelle.Place, lang passerelle.Lang) string {
	places = places[:min(len(places), maxPlacesShown)]
	next := []rune(st.Say[lang])
	for {
		text := summaryText(p, st, places, string(next), lang)
		if _, err := encodeQR(text); err == nil {
			return text
		}
		// Where to go matters most once the person has left: the
		// places go last, down to the first one.
		switch {
		case len(places) > 1:
			places = places[:len(places)-1]
		case len(next) > 40:
			next = append(next[:len(next)-len(next)/4-1], '…')
		case len(next) > 0:
			next = nil // the screen said it; the place stays
		case len(places) > 0:
			places = nil
		default:
			return text // a title and labels that cannot be cut: the caller shows no code
		}
	}
}

func summaryText(p *passerelle.Procedure, st *passerelle.Step, places []*passerelle.Place, next string, lang passerelle.Lang) string {
	var b strings.Builder
	b.WriteString(p.Title[lang])
	b.WriteString("\n")
	if len(st.Bring) > 0 {
		var docs []string
		for _, id := range st.Bring {
			if d := p.Documents[id]; d != nil {
				docs = append(docs, d.Label[lang])
			}
		}
		b.WriteString(sayPlace(lang, phraseSummaryBring) + ": " + strings.Join(docs, ", ") + ".\n")
	}
	if next != "" {
		b.WriteString(sayPlace(lang, phraseSummaryNext) + ": " + next + "\n")
	}
	if len(places) > 0 {
		b.WriteString(sayPlace(lang, phraseSummaryWhere) + ":\n")
		for _, pl := range places {
			b.WriteString("- " + placeLine(pl) + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
