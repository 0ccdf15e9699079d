package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestBestOfKeepsControlsAndPictures: a layout takes another arrangement
// only to show more text whole, never by making a control smaller than
// the usual one's (or 15 mm) or a QR code or sketch too small.
func TestBestOfKeepsControlsAndPictures(t *testing.T) {
	big, small := MinTarget+40, MinTarget-10
	cases := []struct {
		name string
		ways []fitness
		want int
		cuts int
	}{
		{"the usual way when it cuts nothing", []fitness{{0, big, 0}, {0, big + 20, 0}}, 0, 0},
		{"the way that cuts fewest", []fitness{{3, big, 0}, {2, big, 0}, {1, big, 0}, {1, big, 0}}, 2, 1},
		{"stops at the first that cuts nothing", []fitness{{2, big, 0}, {0, big, 0}, {0, big + 50, 0}}, 1, 0},
		{"controls under 15 mm refused", []fitness{{2, big, 0}, {0, small, 0}}, 0, 2},
		{"controls smaller, still 15 mm, taken", []fitness{{2, big, 0}, {0, MinTarget, 0}}, 1, 0},
		{"a small usual control: no smaller", []fitness{{2, small, 0}, {0, small - 1, 0}, {1, small, 0}}, 2, 1},
		{"a picture too small refused", []fitness{{2, big, 0}, {0, big, 1}}, 0, 2},
		{"no worse than the usual picture", []fitness{{2, big, 1}, {0, big, 1}}, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, f := bestOf(len(c.ways), func(i int) fitness { return c.ways[i] })
			if got != c.want || f.cuts != c.cuts {
				t.Errorf("bestOf chose way %d (%d cuts), want %d (%d cuts)", got, f.cuts, c.want, c.cuts)
			}
		})
	}
}

// TestCutsInIsWhatIsDrawn: the layouts choose by textBlock.cutsIn; it
// must say "cut" exactly when the text, fitted to the box, is drawn with
// "…" or overflows the box (a box lower than a line still gets one), for
// wrapped sentences and unwrapped numbers, wide and narrow boxes.
func TestCutsInIsWhatIsDrawn(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(Theme())
	texts := []struct {
		text string
		wrap bool
	}{
		{"Tapez ici les 13 premiers chiffres de votre numéro de sécurité sociale.", true},
		{"Justificatif de domicile", true},
		{"02 99 00 10 10", false},
		{"أحضر هذه الأوراق الأصلية، لا النسخ.", true},
	}
	for _, tx := range texts {
		for _, w := range []float32{60, 150, 300, 700} {
			for _, h := range []float32{20, 45, 90, 200} {
				b := textBlock{text: tx.text, max: 40, floor: 31, wrap: tx.wrap}
				lines, size := fitLines(b.text, b.max, b.floor, b.style, b.wrap, w, h)
				drawnCut := float32(len(lines))*fyne.MeasureText("Mg", size, b.style).Height > h
				for _, l := range lines {
					drawnCut = drawnCut || strings.HasSuffix(l.text, "…")
				}
				if got := b.cutsIn(w, h); got != drawnCut {
					t.Errorf("%q in %v×%v: cutsIn says %v, drawn cut %v (%d lines)", tx.text, w, h, got, drawnCut, len(lines))
				}
			}
		}
	}
}
