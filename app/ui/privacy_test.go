package ui_test

import (
	"io"
	"log/slog"
	"slices"
	"testing"

	"fyne.io/fyne/v2"

	"passerelle/app/audio"
	"passerelle/app/passerelle"
)

// TestPersonalKeysOnlyInHeadphones: on a personal number's keypad
// (ameli's social security number), the keys' ring names the keys and a
// typed digit is said only in headphones; on the loudspeakers the ring
// says "Key", never which, the first key says to plug in headphones or
// type on the keyboard, and a typed digit is said only by its place.
func TestPersonalKeysOnlyInHeadphones(t *testing.T) {
	const invite = "Ce numéro est personnel : le haut-parleur ne dit pas le nom des touches. Branchez un casque sur le kiosque, ou demandez un casque à l'accueil. Vous pouvez aussi taper les chiffres sur le clavier."
	cases := []struct {
		name       string
		headphones bool
		keyName    func(key string) string // what the ring says on a digit key
		typed      []string                // what typing 1 says
		invited    bool
	}{
		{"loudspeakers", false, func(string) string { return "Touche" }, []string{"Chiffre 1 sur 13."}, true},
		{"headphones", true, func(key string) string { return key }, []string{"Chiffre 1 sur 13.", "1"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRigWith(t, openCatalog(t, shipped), audio.NewSpeech(speechCache, ""),
				slog.New(slog.NewTextHandler(io.Discard, nil)), withHeadphones(tc.headphones))
			r.goToStep("fr", "ameli-attestation", "ssn-check")
			s := r.k.Screen()
			n := r.asked.count()
			r.press(fyne.KeyDown) // the first key on the step
			first := r.asked.since(n)
			if got := slices.Contains(first, passerelle.Prompt{Text: invite, Lang: "fr"}); got != tc.invited {
				t.Errorf("the first key said %+v; the invitation to plug in headphones: %v, want %v", first, got, tc.invited)
			}
			// Round the whole screen: every digit key, as the ring says it.
			for range 20 {
				n := r.asked.count()
				r.press(fyne.KeyDown)
				said := r.asked.since(n)
				for key, tile := range s.Keys {
					if tile.Focused() && key != "erase" && said[0].Text != tc.keyName(key) {
						t.Errorf("the ring on key %s said %q, want %q", key, said[0].Text, tc.keyName(key))
					}
				}
			}
			n = r.asked.count()
			r.press(fyne.Key1)
			var typed []string
			for _, p := range r.asked.since(n) {
				typed = append(typed, p.Text)
			}
			if !slices.Equal(typed, tc.typed) {
				t.Errorf("typing 1 said %q, want %q", typed, tc.typed)
			}
		})
	}
}
