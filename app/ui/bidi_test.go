package ui

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

// The lines come from the shipped Arabic texts (data/procedures and the
// kiosk's own phrases). Each case lists the pieces as drawn from left to
// right: the start of an Arabic sentence is the rightmost piece, its
// full stop the leftmost.
func TestDrawOrder(t *testing.T) {
	tests := []struct {
		name string
		line string
		rtl  bool
		want []string
	}{
		{"welcome: the full stop on the left", "المس الشاشة للبدء.", true,
			[]string{".", "المس الشاشة للبدء"}},
		{"a Latin word in the middle", "ستصلك رسالة SMS عندما تكون وثيقتك جاهزة.", true,
			[]string{".", "عندما تكون وثيقتك جاهزة", " ", "SMS", " ", "ستصلك رسالة"}},
		{"a Latin word at the end", "بطاقتك Vitale", true,
			[]string{"Vitale", " ", "بطاقتك"}},
		{"a line starting with a Latin word", "RIB ورقة فيها رقم حسابك البنكي.", true,
			[]string{".", "ورقة فيها رقم حسابك البنكي", " ", "RIB"}},
		{"a web address before the full stop", "على هاتفك أو على الحاسوب، افتح موقع ameli.fr.", true,
			[]string{".", "ameli.fr", " ", "افتح موقع", " ", "،", "على هاتفك أو على الحاسوب"}},
		{"a phone number in groups stays as dialled", "اتصل بالتأمين الصحي على الرقم 36 46.", true,
			[]string{".", "36 46", " ", "اتصل بالتأمين الصحي على الرقم"}},
		{"a ten-digit phone number stays as dialled", "اتصل بالرقم 01 23 45 67 89 اليوم", true,
			[]string{"اليوم", " ", "01 23 45 67 89", " ", "اتصل بالرقم"}},
		{"numbers apart stay apart", "نعم 1 أو 2 3", true,
			[]string{"2 3", " ", "أو", " ", "1", " ", "نعم"}},
		{"digits after an Arabic comma", "نعم، 1 أو 2", true,
			[]string{"2", " ", "أو", " ", "1", " ", "،", "نعم"}},
		{"a number of months", "يبقى صالحًا لمدة 6 أشهر.", true,
			[]string{".", "أشهر", " ", "6", " ", "يبقى صالحًا لمدة"}},
		{"guillemets turn round", "اختر « Mon Compte ».", true,
			[]string{".", "«", " ", "Mon Compte", " ", "»", " ", "اختر"}},
		{"a wrapped line with no Arabic letter", "SMS 123.", true,
			[]string{".", "SMS 123"}},
		{"the Arabic question mark stays with its word", "هل نجح ذلك؟", true,
			[]string{"هل نجح ذلك؟"}},
		{"invisible direction marks are dropped", "رسالة\u200f SMS\u202b", true,
			[]string{"SMS", " ", "رسالة"}},
		{"a paragraph separator does not cut the line", "رسالة\u2029SMS", true,
			[]string{"SMS", "\u2029", "رسالة"}},
		{"French stays as written", "Touchez l'écran pour commencer.", false,
			[]string{"Touchez l'écran pour commencer."}},
		{"nothing to draw", "\u200f", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := drawOrder(tt.line, tt.rtl); !slices.Equal(got, tt.want) {
				t.Errorf("drawOrder(%q)\n got %q\nwant %q", tt.line, got, tt.want)
			}
		})
	}
}

func TestWrapWords(t *testing.T) {
	tests := []struct {
		name, para string
		want       []string
	}{
		{"spaces", "Appelez le  numéro", []string{"Appelez", "le", "numéro"}},
		{"a number in groups is one word", "Appelez le 01 23 45 67 89.", []string{"Appelez", "le", "01 23 45 67 89."}},
		{"a no-break space holds", "36\u00a046 ou 32 30", []string{"36\u00a046", "ou", "32 30"}},
		{"a digit then a word", "6 mois", []string{"6", "mois"}},
		{"French punctuation stays with its word", "par SMS ? C'est « Spam » : oui !",
			[]string{"par", "SMS ?", "C'est", "« Spam » :", "oui !"}},
		{"a question mark alone", "? Oui", []string{"?", "Oui"}},
		{"Arabic", "على الرقم 36 46.", []string{"على", "الرقم", "36 46."}},
		{"nothing", "  ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wrapWords(tt.para); !slices.Equal(got, tt.want) {
				t.Errorf("wrapWords(%q) = %q, want %q", tt.para, got, tt.want)
			}
		})
	}
}

func TestRTLText(t *testing.T) {
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"Arabic", "المس الشاشة للبدء.", true},
		{"Arabic after a Latin word", "SMS رسالة", true},
		{"French", "Touchez l'écran pour commencer.", false},
		{"a phone number", "36 46", false},
		{"Arabic-Indic digits alone", "١٢٣", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rtlText(tt.text); got != tt.want {
				t.Errorf("rtlText(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

// Every Arabic text shipped, broken into lines as a sentence is on the
// smallest screen and on a wide one: each line loses no character, its
// rightmost piece is where it starts and its leftmost where it ends.
func TestShippedArabicLinesDrawRightToLeft(t *testing.T) {
	test.NewTempApp(t)
	texts := shippedArabic(t)
	if len(texts) < 50 {
		t.Fatalf("found %d Arabic texts in the shipped catalog and phrases, want many", len(texts))
	}
	mixed := 0
	for _, text := range texts {
		for _, width := range []float32{300, 900} {
			for _, l := range breakLines(text, sizesFor(0, false).text, fyne.TextStyle{Bold: true}, true, width) {
				if !l.rtl {
					t.Errorf("%q: a line of an Arabic text is laid out left to right", l.text)
				}
				pieces := drawOrder(l.text, l.rtl)
				if len(pieces) > 1 {
					mixed++
				}
				checkLine(t, l.text, pieces)
			}
		}
	}
	if mixed < 20 {
		t.Errorf("only %d lines mix directions: the check above saw too little", mixed)
	}
}

// checkLine checks the pieces of one right-to-left line, drawn from left
// to right.
func checkLine(t *testing.T, line string, pieces []string) {
	t.Helper()
	if len(pieces) == 0 {
		t.Errorf("%q: nothing drawn", line)
		return
	}
	// A sign alone was turned round to be drawn: turn it back.
	written := func(piece string) string {
		if rtlText(piece) {
			return piece
		}
		if r := []rune(piece); len(r) == 1 {
			return string(turned(r[0]))
		}
		return piece
	}
	var all []rune
	for _, p := range pieces {
		all = append(all, []rune(written(p))...)
	}
	want := []rune(line)
	slices.Sort(all)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Errorf("%q: the pieces %q do not hold the same characters", line, pieces)
	}
	if first := written(pieces[len(pieces)-1]); !strings.HasPrefix(line, first) {
		t.Errorf("%q: the rightmost piece %q is not where the line starts (pieces %q)", line, first, pieces)
	}
	if last := written(pieces[0]); !strings.HasSuffix(line, last) {
		t.Errorf("%q: the leftmost piece %q is not where the line ends (pieces %q)", line, last, pieces)
	}
}

// shippedArabic returns every Arabic text of the shipped catalog and of
// the kiosk's phrases.
func shippedArabic(t *testing.T) []string {
	t.Helper()
	res, err := procedure.Load(context.Background(), shippedCatalog)
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("shipped catalog: %v %v", err, res.Problems)
	}
	var texts []string
	add := func(text passerelle.Text) {
		if s := text[passerelle.Lang("ar")]; s != "" {
			texts = append(texts, s)
		}
	}
	for _, p := range res.Procedures {
		add(p.Title)
		add(p.Intro)
		for _, d := range p.Documents {
			add(d.Label)
		}
		for _, st := range p.Steps {
			add(st.Say)
			for _, o := range st.Options {
				add(o.Label)
			}
		}
	}
	for _, s := range phrases[passerelle.Lang("ar")] {
		texts = append(texts, s)
	}
	return texts
}

const shippedCatalog = "../../data/procedures"

// A sentence of an Arabic screen, drawn by the real widget at a width
// that wraps it: every line is aligned right, its pieces side by side
// from left to right without overlap, the first line holds the start of
// the sentence at its right end and the last line the full stop at its
// left end.
func TestArabicSentenceIsDrawnRightToLeft(t *testing.T) {
	test.NewTempApp(t)
	text := "ستصلك رسالة SMS عندما تكون وثيقتك جاهزة. استلمها من البلدية خلال 3 أشهر."
	s := newSentence(text, passerelle.Lang("ar"))
	w := test.NewWindow(s)
	defer w.Close()
	w.Resize(fyne.NewSize(420, 400))
	s.Resize(fyne.NewSize(400, 300))
	lines := s.block.lines
	if len(lines) < 2 {
		t.Fatalf("the sentence takes %d line, want it wrapped", len(lines))
	}
	for i, line := range lines {
		x := line[0].Position().X
		for _, piece := range line {
			if piece.Position().X < x-0.5 {
				t.Errorf("line %d: piece %q at %.1f overlaps the one before it (ends at %.1f)", i, piece.Text, piece.Position().X, x)
			}
			x = piece.Position().X + piece.Size().Width
		}
		if x < 400-1 || x > 400+1 {
			t.Errorf("line %d ends at %.1f, want the right edge 400", i, x)
		}
	}
	if first := lines[0][len(lines[0])-1].Text; !strings.HasPrefix(text, first) {
		t.Errorf("the first line's rightmost piece is %q, want the start of the sentence", first)
	}
	if last := lines[len(lines)-1][0].Text; last != "." {
		t.Errorf("the last line's leftmost piece is %q, want the full stop", last)
	}
}

// In a right-to-left language the arrows are drawn mirrored: every pixel
// of the Arabic arrow is the French one's seen in a mirror.
func TestArrowsPointTheOtherWayRightToLeft(t *testing.T) {
	for _, name := range []string{"back", "next", "page-prev", "page-next"} {
		t.Run(name, func(t *testing.T) {
			const side = 64
			ltr := drawPictogram(arrow(name, "fr"), side, side)
			rtl := drawPictogram(arrow(name, "ar"), side, side)
			if !slices.Equal(ltr.Pix, drawPictogram(uiIcon(name), side, side).Pix) {
				t.Errorf("the French %s arrow is not the pictogram as drawn", name)
			}
			differ, mismatched := 0, 0
			for y := range side {
				for x := range side {
					a, m := nrgbaAt(ltr, x, y), nrgbaAt(rtl, side-1-x, y)
					if a != nrgbaAt(rtl, x, y) {
						differ++
					}
					if colourDistance(a, m) > 64 {
						mismatched++
					}
				}
			}
			if differ < side {
				t.Errorf("the Arabic %s arrow is drawn as the French one", name)
			}
			// Anti-aliased edges differ a little (77 pixels of 4096 for
			// "next"); a mirror one pixel off differs on 336.
			if mismatched > 2*side {
				t.Errorf("the Arabic %s arrow: %d pixels are not the French one's mirrored", name, mismatched)
			}
		})
	}
}

func nrgbaAt(img image.Image, x, y int) color.NRGBA {
	return color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
}

func colourDistance(a, b color.NRGBA) int {
	d := func(x, y uint8) int { return max(int(x), int(y)) - min(int(x), int(y)) }
	return d(a.R, b.R) + d(a.G, b.G) + d(a.B, b.B) + d(a.A, b.A)
}

func TestMirrorSVGKeepsWhatItCannotRead(t *testing.T) {
	tests := []struct {
		name string
		svg  string
	}{
		{"no svg element", "<g/>"},
		{"no viewBox", `<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5"/></svg>`},
		{"not closed", `<svg viewBox="0 0 10 10"><rect/>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(mirrorSVG([]byte(tt.svg))); got != tt.svg {
				t.Errorf("mirrorSVG(%q) = %q, want it unchanged", tt.svg, got)
			}
		})
	}
}

// Whatever staff type, a line is drawn whole: drawOrder neither panics
// nor loses a character (but the invisible direction marks it drops).
func FuzzDrawOrder(f *testing.F) {
	for _, seed := range []string{"المس الشاشة للبدء.", "اختر « Mon Compte ».", "(CAF) [١٢٣] {x}", "\u202eabc\u202c د", "\xff\xfe ب", "ب\u2029\r\t1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		pieces := drawOrder(line, rtlText(line))
		var got []rune
		for _, p := range pieces {
			got = append(got, []rune(p)...)
		}
		want := []rune(stripBidiControls(line))
		if len(got) != len(want) {
			t.Fatalf("drawOrder(%q) = %q: %d characters, want %d", line, pieces, len(got), len(want))
		}
	})
}

// drawOrder counts on Fyne to draw a piece of Arabic words right to left
// (its first word on the right) and a piece of Latin words left to
// right. This checks it on Fyne's own drawing: the first word drawn
// alone matches the right end of the piece for Arabic, the left end for
// French, far better than the other end.
func TestFyneDrawsAPieceInItsDirection(t *testing.T) {
	test.NewTempApp(t)
	tests := []struct {
		name, first, rest string
		rtl               bool
	}{
		{"Arabic words right to left", "المس", "الشاشة للبدء", true},
		{"Latin words left to right", "Mon", "Compte", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			piece, first := drawText(t, tt.first+" "+tt.rest), drawText(t, tt.first)
			w, h := first.Bounds().Dx(), min(first.Bounds().Dy(), piece.Bounds().Dy())
			pw := piece.Bounds().Dx()
			diff := func(offset int) int {
				d := 0
				for y := range h {
					for x := range w {
						d += colourDistance(first.NRGBAAt(x, y), piece.NRGBAAt(offset+x, y))
					}
				}
				return d
			}
			right, left := diff(pw-w), diff(0)
			if tt.rtl && right*2 > left || !tt.rtl && left*2 > right {
				t.Errorf("%q drawn alone differs from the right end of %q by %d, from its left end by %d", tt.first, tt.first+" "+tt.rest, right, left)
			}
		})
	}
}

// drawText draws s as Fyne draws a piece of a line, in a box its size.
func drawText(t *testing.T, s string) *image.NRGBA {
	t.Helper()
	text := canvas.NewText(s, color.Black)
	text.TextSize = 40
	size := fyne.MeasureText(s, text.TextSize, text.TextStyle)
	text.Resize(size)
	w := test.NewWindow(container.NewWithoutLayout(text))
	defer w.Close()
	w.SetPadded(false)
	w.Resize(size)
	img := w.Canvas().Capture()
	out := image.NewNRGBA(image.Rect(0, 0, int(size.Width), int(size.Height)))
	draw.Draw(out, out.Bounds(), img, image.Point{}, draw.Src)
	return out
}
