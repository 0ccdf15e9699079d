package ui

import (
	"fmt"
	"image/color"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"passerelle/app/passerelle"
)

// maxPlacesShown is how many help places a handoff screen shows and says:
// more is too much to listen to, and the cards would get too small.
const maxPlacesShown = 3

// shownPlaces returns the places that help with a procedure, those open at
// now first, then the others, each group in the order staff wrote them;
// at most maxPlacesShown.
func shownPlaces(c *passerelle.Catalog, procedureID string, now time.Time) []placeNow {
	if c == nil {
		return nil
	}
	var out []placeNow
	for _, p := range passerelle.PlacesFor(c.Places, procedureID) {
		out = append(out, placeNow{p, p.Hours.OpenAt(now)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].open && !out[j].open })
	return out[:min(len(out), maxPlacesShown)]
}

// placeNow is a place and whether it is open at the time of the screen.
type placeNow struct {
	place *passerelle.Place
	open  bool
}

// placePrompt is what the kiosk says of a place: its kind, its name,
// whether it is open now, its phone number.
func placePrompt(lang passerelle.Lang, p placeNow) passerelle.Prompt {
	state := phraseClosedNow
	if p.open {
		state = phraseOpenNow
	}
	text := fmt.Sprintf("%s: %s. %s %s", kindWord(lang, p.place.Kind), p.place.Name, sayPlace(lang, state), fmt.Sprintf(sayPlace(lang, phrasePhoneIs), p.place.Phone))
	return passerelle.Prompt{Text: text, Lang: lang}
}

// PlaceCard shows one help place: the pictogram of its kind, a sign open
// (green, a tick) or closed (grey, a padlock), its name and address, and
// its phone number in big digits. Touching it says it again.
type PlaceCard struct {
	widget.BaseWidget
	touchable // touch tolerance (touch.go)

	Place    *passerelle.Place
	Open     bool // at the time the screen appeared
	OnTapped func()

	lang    passerelle.Lang
	focused bool // the keys' focus ring is on it (focus.go)
}

func newPlaceCard(p placeNow, lang passerelle.Lang, tapped func()) *PlaceCard {
	c := &PlaceCard{Place: p.place, Open: p.open, OnTapped: tapped, lang: lang}
	c.ExtendBaseWidget(c)
	return c
}

// Tapped is a touch: the card acts unless touch tolerance ignores it.
func (c *PlaceCard) Tapped(*fyne.PointEvent) {
	if c.takesTouch() {
		c.act()
	}
}

// act says the card again: a touch taken, a key or the switch.
func (c *PlaceCard) act() {
	if c.OnTapped != nil {
		c.OnTapped()
	}
}

// Colours of the open and closed states, beside the sign's pictogram: a
// person who does not tell green from grey still sees the tick or the padlock.
var (
	colorOpenBack   = color.NRGBA{0xE3, 0xF4, 0xE8, 0xFF}
	colorOpenBorder = color.NRGBA{0x1B, 0x7F, 0x3B, 0xFF}
	colorClosedBack = color.NRGBA{0xEE, 0xEE, 0xEE, 0xFF}
)

// CreateRenderer is part of fyne.Widget.
func (c *PlaceCard) CreateRenderer() fyne.WidgetRenderer {
	c.ExtendBaseWidget(c)
	r := &placeCardRenderer{card: c, frame: canvas.NewRectangle(colorClosedBack), ring: newFocusRing()}
	r.frame.CornerRadius = 18
	r.frame.StrokeWidth = 3
	r.frame.StrokeColor = colorTileBorder
	sign := "place-closed"
	if c.Open {
		sign = "place-open"
		r.frame.FillColor = colorOpenBack
		r.frame.StrokeColor = colorOpenBorder
		r.frame.StrokeWidth = 6
	}
	r.kind = picture(c.Place.Pictogram.Data)
	r.sign = picture(uiIcon(sign))
	align := fyne.TextAlignLeading
	if rtl(c.lang) {
		align = fyne.TextAlignTrailing
	}
	r.name = textBlock{text: c.Place.Name, max: textSize(), floor: textFloor(), style: fyne.TextStyle{Bold: true}, align: align, color: colorForeground, wrap: true}
	r.address = textBlock{text: c.Place.Address, max: labelSize() + 4, floor: textFloor(), align: align, color: colorForeground, wrap: true}
	// A number cut in two is misread: it shrinks rather than wraps.
	r.phone = textBlock{text: c.Place.Phone, max: headingSize(), floor: textFloor(), style: fyne.TextStyle{Bold: true, Monospace: true}, align: align, color: colorForeground}
	return r
}

type placeCardRenderer struct {
	card                 *PlaceCard
	frame                *canvas.Rectangle
	kind, sign           *canvas.Raster
	name, address, phone textBlock
	ring                 focusRing // the keys' (focus.go)
}

// Layout: the kind's pictogram, the open/closed sign, then the texts; in
// a right-to-left language, the other way round.
func (r *placeCardRenderer) Layout(size fyne.Size) {
	r.frame.Resize(size)
	r.ring.layout(size)
	pad := clamp(min(size.Width, size.Height)/12, 4, theme.InnerPadding())
	h := max(0, size.Height-2*pad)
	side := min(h, size.Width/4)
	r.kind.Move(fyne.NewPos(pad, pad+(h-side)/2))
	r.kind.Resize(fyne.NewSquareSize(side))
	sign := side * 0.7
	r.sign.Move(fyne.NewPos(2*pad+side, pad+(h-sign)/2))
	r.sign.Resize(fyne.NewSquareSize(sign))
	x := 3*pad + side + sign
	w := max(0, size.Width-x-pad)
	if rtl(r.card.lang) {
		// The pictograms go to the right; the texts' box to the left, its
		// lines keeping the order drawOrder gave their pieces.
		mirror(size, r.kind, r.sign)
		x = pad
	}
	nameH := r.name.fit(w, h*0.4)
	addrH := r.address.fit(w, h*0.25)
	phoneH := r.phone.fit(w, max(0, h-nameH-addrH))
	y := pad + max(0, (h-nameH-addrH-phoneH)/2)
	r.name.place(fyne.NewPos(x, y), nameH)
	r.address.place(fyne.NewPos(x, y+nameH), addrH)
	r.phone.place(fyne.NewPos(x, y+nameH+addrH), phoneH)
}

func (r *placeCardRenderer) texts() []fyne.CanvasObject {
	var objs []fyne.CanvasObject
	for _, b := range []*textBlock{&r.name, &r.address, &r.phone} {
		objs = append(objs, b.objects()...)
	}
	return objs
}

// MinSize is small: the card scales to the space the screen gives it.
func (r *placeCardRenderer) MinSize() fyne.Size { return fyne.NewSize(tileFloor, tileFloor/2) }

func (r *placeCardRenderer) Refresh() {
	for _, b := range []*textBlock{&r.name, &r.address, &r.phone} {
		b.dirty = true
	}
	r.Layout(r.card.Size())
	r.frame.Refresh()
	r.ring.show(r.card.focused)
	r.ring.outer.Refresh()
	r.ring.inner.Refresh()
}

func (r *placeCardRenderer) Objects() []fyne.CanvasObject {
	return append(append([]fyne.CanvasObject{r.frame, r.kind, r.sign}, r.texts()...), r.ring.objects()...)
}

func (r *placeCardRenderer) Destroy() {}

// rowsLayout stacks its objects in rows of equal height.
type rowsLayout struct{}

func (rowsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) == 0 {
		return
	}
	pad := theme.Padding()
	h := (size.Height - pad*float32(len(objs)-1)) / float32(len(objs))
	for i, o := range objs {
		o.Move(fyne.NewPos(0, float32(i)*(h+pad)))
		o.Resize(fyne.NewSize(size.Width, max(0, h)))
	}
}

func (rowsLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(tileFloor, tileFloor) }

// placesBody is the body of a handoff step with help places: the step's
// phone number, when it has one, above a card for each place.
func (k *Kiosk) placesBody(s *Screen, places []placeNow, phone fyne.CanvasObject, lang passerelle.Lang) fyne.CanvasObject {
	var rows []fyne.CanvasObject
	if phone != nil {
		rows = append(rows, phone)
	}
	for _, p := range places {
		speak := placePrompt(lang, p)
		card := newPlaceCard(p, lang, func() { k.touched(); k.play(speak) })
		s.Places = append(s.Places, card)
		s.Prompt = append(s.Prompt, speak)
		rows = append(rows, card)
	}
	return newRows(rows...)
}

func newRows(objs ...fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: rowsLayout{}, Objects: objs}
}

// placeLine is a place as one line of a summary: name, address, phone.
func placeLine(p *passerelle.Place) string {
	return strings.Join([]string{p.Name, p.Address, p.Phone}, ", ")
}

// placeSpeech is what the kiosk may say of the catalog's places, open or
// closed, and of the summary and the printer, in each language: rendered
// ahead of time, like the rest of the catalog's speech.
func placeSpeech(c *passerelle.Catalog) []passerelle.Prompt {
	var prompts []passerelle.Prompt
	for _, l := range c.Langs() {
		for _, p := range []placePhrase{phraseKeepSummary, phrasePrinting, phrasePrintFailed} {
			prompts = append(prompts, passerelle.Prompt{Text: sayPlace(l, p), Lang: l})
		}
		for _, p := range c.Places {
			prompts = append(prompts, placePrompt(l, placeNow{p, true}), placePrompt(l, placeNow{p, false}))
		}
	}
	return prompts
}
