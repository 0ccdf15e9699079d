package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"passerelle/app/passerelle"
)

// printTimeout bounds a print job's hand-over to the printing system: a
// CUPS that does not answer must not keep the person waiting.
const printTimeout = 20 * time.Second

// endBody adds to an end step's documents (body, or nil) the QR code of
// the summary and, when the kiosk has a printer, the control that prints it.
func (k *Kiosk) endBody(s *Screen, st *passerelle.Step, body fyne.CanvasObject, lang passerelle.Lang) fyne.CanvasObject {
	proc := k.session.Proc
	var places []*passerelle.Place
	for _, p := range shownPlaces(k.catalog.Load(), proc.ID, k.deps.Now()) {
		places = append(places, p.place)
	}
	text := summaryFor(proc, st, places, lang)
	code, err := newQRCode(text)
	if err != nil {
		// Titles and labels are short by the format's limits: staff learn
		// of it, the person still has the screen.
		k.deps.Logger.Warn("kiosk: the end screen shows no QR code", "procedure", proc.ID, "step", st.ID, "err", err)
		return body
	}
	s.QR = code
	s.Prompt = append(s.Prompt, passerelle.Prompt{Text: sayPlace(lang, phraseKeepSummary), Lang: lang})
	objs := []fyne.CanvasObject{code}
	if k.deps.Printer != nil {
		s.Print = NewTile("print", sayPlace(lang, phrasePrint), uiIcon("print"), nil)
		s.Print.OnTapped = func() { k.onPrint(s.Print, text, lang) }
		objs = append(objs, s.Print)
	}
	side := &fyne.Container{Layout: qrPanelLayout{}, Objects: objs}
	if body == nil {
		return side
	}
	return &fyne.Container{Layout: besideLayout{rtl: rtl(lang)}, Objects: []fyne.CanvasObject{body, side}}
}

// onPrint sends the summary to the printer in the background; the person
// hears whether the paper comes, staff read why it did not in the log.
func (k *Kiosk) onPrint(t *Tile, text string, lang passerelle.Lang) {
	k.touched()
	t.Disable() // one slip per touch: a second touch waits for the first job
	ctx, cancel := context.WithTimeout(k.ctx, printTimeout)
	printer := k.deps.Printer
	go func() {
		defer cancel()
		err := printer.Print(ctx, text)
		fyne.Do(func() {
			t.Enable()
			if err != nil {
				k.deps.Logger.Warn("kiosk: printing the summary failed", "err", err)
				k.play(passerelle.Prompt{Text: sayPlace(lang, phrasePrintFailed), Lang: lang})
				return
			}
			k.play(passerelle.Prompt{Text: sayPlace(lang, phrasePrinting), Lang: lang})
		})
	}()
}

// qrMinSide is the smallest side of the QR code, quiet border included:
// 37.5 mm on a kiosk whose scale makes MinTarget 15 mm, modules of half a
// millimetre and 2 pixels at least (from 800×480 up) for the biggest code
// the summary makes (77 modules with the border), which a phone reads at
// 40 cm. TestEverySummaryFitsAndDecodes reads every code at 180 pixels.
var qrMinSide = 2.5 * MinTarget

// qrPanelLayout puts the QR code, square and as big as it fits, above the
// print control when there is one. Objects: code, [print].
type qrPanelLayout struct{}

func (l qrPanelLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	code, print := l.arrange(len(objs) > 1, size)
	code.apply(objs[0])
	if len(objs) > 1 {
		print.apply(objs[1])
	}
}

func (qrPanelLayout) arrange(printer bool, size fyne.Size) (code, print box) {
	codeH := size.Height
	if printer {
		pad := theme.Padding()
		// The print control as low as a finger needs: the code gets the rest.
		printH := clamp(size.Height*0.2, min(MinTarget, size.Height/2), barHeight)
		codeH = max(0, size.Height-printH-pad)
		w := min(size.Width, printH*2.2)
		print = box{fyne.NewPos((size.Width-w)/2, codeH+pad), fyne.NewSize(w, printH)}
	}
	side := min(size.Width, codeH)
	code = box{fyne.NewPos((size.Width-side)/2, (codeH-side)/2), fyne.NewSquareSize(side)}
	return code, print
}

// fitness of the panel: a code smaller than qrMinSide is too small to
// be read; the print control is a target.
func (l qrPanelLayout) fitness(objs []fyne.CanvasObject, size fyne.Size) fitness {
	code, print := l.arrange(len(objs) > 1, size)
	f := fitness{small: boolCut(code.size.Width < qrMinSide-0.5), target: noTarget}
	if len(objs) > 1 {
		f.target = min(print.size.Width, print.size.Height)
	}
	return f
}

func (qrPanelLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSquareSize(tileFloor) }

// besideLayout puts the documents to bring and the QR panel side by side,
// the panel on the side a language reads towards, as big as the height
// allows, unless the documents' labels need the width: then the panel
// narrows, its code down to qrMinSide. Objects: body, panel.
type besideLayout struct{ rtl bool }

func (l besideLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if l.rtl {
		defer mirror(size, objs...)
	}
	body, panel := l.arrange(size, l.choose(objs, size))
	body.apply(objs[0])
	panel.apply(objs[1])
}

// widths are the panel's widths tried, the usual one first.
func (besideLayout) widths(size fyne.Size) []float32 {
	usual := min(size.Width*0.45, size.Height+theme.Padding())
	out := []float32{usual}
	for w := usual - 20; w >= qrMinSide; w -= 20 {
		out = append(out, w)
	}
	return out
}

func (l besideLayout) choose(objs []fyne.CanvasObject, size fyne.Size) float32 {
	w, _ := bestWay(objs, size, l.widths(size), l.arrange)
	return w
}

func (l besideLayout) fitness(objs []fyne.CanvasObject, size fyne.Size) fitness {
	_, f := bestWay(objs, size, l.widths(size), l.arrange)
	return f
}

func (besideLayout) arrange(size fyne.Size, panelW float32) (body, panel box) {
	pad := theme.Padding()
	return box{fyne.NewPos(0, 0), fyne.NewSize(max(0, size.Width-panelW-pad), size.Height)},
		box{fyne.NewPos(size.Width-panelW, 0), fyne.NewSize(panelW, size.Height)}
}

func (besideLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSquareSize(tileFloor) }
