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
	r.name, r.address, r.phone = c.blocks()
	return r
}

// blocks makes the card's texts: name, address, phone number.
func (c *PlaceCard) blocks() (name, address, phone textBlock) {
	align := fyne.TextAlignLeading
	if rtl(c.lang) {
		align = fyne.TextAlignTrailing
	}
	name = textBlock{text: c.Place.Name, max: textSize(), floor: textFloor(), style: fyne.TextStyle{Bold: true}, align: align, color: colorForeground, wrap: true}
	address = textBlock{text: c.Place.Address, max: labelSize() + 4, floor: textFloor(), align: align, color: colorForeground, wrap: true}
	// A number cut in two is misread: it shrinks rather than wraps.
	phone = textBlock{text: c.Place.Phone, max: headingSize(), floor: textFloor(), style: fyne.TextStyle{Bold: true, Monospace: true}, align: align, color: colorForeground}
	return name, address, phone
}

type placeCardRenderer struct {
	card                 *PlaceCard
	frame                *canvas.Rectangle
	kind, sign           *canvas.Raster
	name, address, phone textBlock
	ring                 focusRing // the keys' (focus.go)
}

// Layout: the kind's pictogram, the open/closed sign, then the texts; in
// a right-to-left language, the other way round. The texts are the name,
// the address and the phone number one under the other, each with the
// lines it needs; when they do not fit whole so, the phone number goes
// on the name's line, or the pictograms shrink, whichever shows them
// whole (see bestOf).
func (r *placeCardRenderer) Layout(size fyne.Size) {
	r.frame.Resize(size)
	r.ring.layout(size)
	way, _ := r.card.choose(&r.name, &r.address, &r.phone, size)
	c := r.card.arrange(&r.name, &r.address, &r.phone, size, way)
	c.kind.apply(r.kind)
	c.sign.apply(r.sign)
	if rtl(r.card.lang) {
		// The pictograms go to the right; the texts' box to the left, its
		// lines keeping the order drawOrder gave their pieces.
		mirror(size, r.kind, r.sign)
	}
	nameH := r.name.fit(c.name.size.Width, c.name.size.Height)
	addrH := r.address.fit(c.address.size.Width, c.address.size.Height)
	phoneH := r.phone.fit(c.phone.size.Width, c.phone.size.Height)
	if c.phoneBeside {
		// The name's line and the phone number, each centred in the row.
		r.name.place(c.name.pos, c.name.size.Height)
		r.phone.place(c.phone.pos, c.phone.size.Height)
		r.address.place(c.address.pos, c.address.size.Height)
		return
	}
	// One under the other, the three together centred in the card.
	y := c.name.pos.Y + max(0, (c.name.size.Height+c.address.size.Height+c.phone.size.Height-nameH-addrH-phoneH)/2)
	r.name.place(fyne.NewPos(c.name.pos.X, y), nameH)
	r.address.place(fyne.NewPos(c.address.pos.X, y+nameH), addrH)
	r.phone.place(fyne.NewPos(c.phone.pos.X, y+nameH+addrH), phoneH)
}

// cardParts are the places of a card's parts.
type cardParts struct {
	kind, sign, name, address, phone box
	phoneBeside                      bool
}

// cardWay is one way of laying out a card: the pictograms' side over the
// usual one, the phone number under the address or on the name's line.
type cardWay struct {
	picture     float32
	phoneBeside bool
}

var cardWays = []cardWay{{1, false}, {1, true}, {0.7, false}, {0.7, true}, {0.5, false}, {0.5, true}}

func (c *PlaceCard) choose(name, address, phone *textBlock, size fyne.Size) (cardWay, fitness) {
	i, f := bestOf(len(cardWays), func(i int) fitness {
		return c.measure(name, address, phone, size, cardWays[i])
	})
	return cardWays[i], f
}

func (c *PlaceCard) measure(name, address, phone *textBlock, size fyne.Size, way cardWay) fitness {
	p := c.arrange(name, address, phone, size, way)
	cuts := 0
	for _, t := range []struct {
		b  *textBlock
		at box
	}{{name, p.name}, {address, p.address}, {phone, p.phone}} {
		cuts += boolCut(t.b.cutsIn(t.at.size.Width, t.at.size.Height))
	}
	return fitness{cuts: cuts, target: min(size.Width, size.Height)}
}

// fitness of a card: its texts as they would be made, in the best way.
func (c *PlaceCard) fitness(size fyne.Size) fitness {
	name, address, phone := c.blocks()
	_, f := c.choose(&name, &address, &phone, size)
	return f
}

func (c *PlaceCard) arrange(name, address, phone *textBlock, size fyne.Size, way cardWay) cardParts {
	var p cardParts
	pad := clamp(min(size.Width, size.Height)/12, 4, theme.InnerPadding())
	// Above and under the texts a thinner margin: a line's own height
	// already leaves room over the capitals.
	padY := clamp(min(size.Width, size.Height)/24, 4, theme.InnerPadding())
	h := max(0, size.Height-2*padY)
	side := min(h, size.Width/4) * way.picture
	p.kind = box{fyne.NewPos(pad, padY+(h-side)/2), fyne.NewSquareSize(side)}
	sign := side * 0.7
	p.sign = box{fyne.NewPos(2*pad+side, padY+(h-sign)/2), fyne.NewSquareSize(sign)}
	x := 3*pad + side + sign
	w := max(0, size.Width-x-pad)
	if rtl(c.lang) {
		x = pad
	}
	if way.phoneBeside {
		p.phoneBeside = true
		phoneW := min(w, fyne.MeasureText(phone.text, phone.floor, phone.style).Width+1)
		nameW := max(0, w-phoneW-2*pad)
		row := max(name.heightAtFloor(nameW), phone.lineHeight())
		row = min(row, h)
		// The whole card's height is shared: what the address does not
		// need goes to the first row.
		rest := h - row
		if need := address.heightAtFloor(w); need < rest {
			row += (rest - need) / 2
		}
		top := padY + max(0, (h-row-max(0, min(h-row, address.heightAtFloor(w))))/2)
		p.name = box{fyne.NewPos(x, top), fyne.NewSize(nameW, row)}
		p.phone = box{fyne.NewPos(x+w-phoneW, top), fyne.NewSize(phoneW, row)}
		if rtl(c.lang) {
			p.name.pos.X, p.phone.pos.X = x+w-nameW, x
		}
		p.address = box{fyne.NewPos(x, top+row), fyne.NewSize(w, max(0, padY+h-top-row))}
		if p.address.size.Height < address.lineHeight() {
			p.address.size.Height = 0 // no line fits: nothing drawn over the next card
		}
		return p
	}
	nameH, addrH, phoneH := h*0.4, h*0.25, h*0.35
	needs := []float32{name.heightAtFloor(w), address.heightAtFloor(w), phone.lineHeight()}
	if total := needs[0] + needs[1] + needs[2]; total <= h {
		extra := h - total
		nameH, addrH, phoneH = needs[0]+extra*0.4, needs[1]+extra*0.25, needs[2]+extra*0.35
	}
	p.name = box{fyne.NewPos(x, padY), fyne.NewSize(w, nameH)}
	p.address = box{fyne.NewPos(x, padY+nameH), fyne.NewSize(w, addrH)}
	p.phone = box{fyne.NewPos(x, padY+nameH+addrH), fyne.NewSize(w, phoneH)}
	return p
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

func (l rowsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for i, at := range l.arrange(len(objs), size) {
		at.apply(objs[i])
	}
}

func (l rowsLayout) fitness(objs []fyne.CanvasObject, size fyne.Size) fitness {
	f := fitness{target: noTarget}
	for i, at := range l.arrange(len(objs), size) {
		f = f.plus(fitnessOf(objs[i], at.size))
	}
	return f
}

func (rowsLayout) arrange(n int, size fyne.Size) []box {
	pad := theme.Padding()
	h := max(0, (size.Height-pad*float32(n-1))/float32(max(n, 1)))
	rows := make([]box, n)
	for i := range rows {
		rows[i] = box{fyne.NewPos(0, float32(i)*(h+pad)), fyne.NewSize(size.Width, h)}
	}
	return rows
}

func (rowsLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(tileFloor, tileFloor) }

// placesBody is the body of a handoff step with help places: a card for
// each place (the step's phone number goes with its sentence: asideLayout).
func (k *Kiosk) placesBody(s *Screen, places []placeNow, lang passerelle.Lang) fyne.CanvasObject {
	var rows []fyne.CanvasObject
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
