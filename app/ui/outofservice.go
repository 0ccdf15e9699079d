package ui

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"passerelle/app/passerelle"
)

// outOfServiceLangs are the languages of the out-of-service screen: the
// kiosk's own, since there may be no catalog to take them from.
var outOfServiceLangs = []passerelle.Lang{"fr", "en", "ar"}

// ShowOutOfService fills win with the "out of service, ask at the desk" screen: a big pictogram,
// the sentence written and spoken in French, English and Arabic (through player, which may be nil
// when there is no sound at all). reason is for the staff log only, never shown to users.
//
// It is for when the kiosk cannot start (its database does not open); a
// Kiosk shows the same screen by itself when its catalog has no procedure.
func ShowOutOfService(win fyne.Window, player passerelle.Player, logger *slog.Logger, reason string) {
	if logger == nil {
		logger = slog.Default()
	}
	logOutOfService(logger, reason)
	speak := func(s *Screen) {
		if player == nil {
			return
		}
		if err := player.Play(context.Background(), s.Prompt...); err != nil {
			logger.Warn("kiosk: cannot speak", "err", err)
		}
	}
	s := outOfServiceScreen(speak)
	win.SetContent(s.root)
	speak(s)
}

// outOfServiceScreen builds the screen. It has one control, the whole
// screen: touching it says the sentence again. Nothing leads away from it;
// the kiosk leaves it by itself when procedures arrive.
func outOfServiceScreen(speak func(*Screen)) *Screen {
	s := &Screen{Name: ScreenOutOfService}
	var lines []string
	for _, l := range outOfServiceLangs {
		s.Prompt = append(s.Prompt, prompt(l, phraseOutOfService))
		lines = append(lines, say(l, phraseOutOfService))
	}
	s.Sign = NewTile("out-of-service", strings.Join(lines, "\n"), uiIcon("out-of-service"), func() { speak(s) })
	s.Sign.labelSize = textSize()
	s.Sign.labelShare = 0.65 // three sentences of 4.8 mm on 800×480
	s.root = container.NewPadded(s.Sign)
	return s
}

func logOutOfService(logger *slog.Logger, reason string) {
	logger.Error("kiosk: out of service, users are asked to go to the desk", "reason", reason)
}

// showOutOfService puts the kiosk out of service, forgetting any user.
func (k *Kiosk) showOutOfService(reason string) {
	k.reset()
	logOutOfService(k.deps.Logger, reason)
	k.show(outOfServiceScreen(func(s *Screen) {
		k.touched()
		k.play(s.Prompt...)
	}))
}

// hasProcedures reports whether c offers anything to a user.
func hasProcedures(c *passerelle.Catalog) bool {
	return c != nil && len(c.Procedures) > 0
}

// emptyReason says, for staff, why the catalog offers nothing.
func (k *Kiosk) emptyReason() string {
	problems := k.deps.Catalog.Problems()
	if len(problems) == 0 {
		return "the catalog has no procedure: add a procedure folder to the catalog folder (see data/procedures/README.md)"
	}
	shown := problems[:min(3, len(problems))]
	var b strings.Builder
	for _, p := range shown {
		b.WriteString("; " + p.String())
	}
	more := ""
	if len(problems) > len(shown) {
		more = fmt.Sprintf("; and %d more", len(problems)-len(shown))
	}
	return fmt.Sprintf("the catalog has no usable procedure, %d problem(s) to fix (passerelle validate lists them all)%s%s",
		len(problems), b.String(), more)
}

// catalogChanged enters the out-of-service screen when a reload empties
// the catalog, and leaves it when procedures arrive. A user in the middle
// of a procedure finishes it first, on the version they started.
func (k *Kiosk) catalogChanged() {
	if k.screen == nil {
		return
	}
	has := hasProcedures(k.catalog.Load())
	switch {
	case !has && k.session == nil && k.screen.Name != ScreenOutOfService:
		k.showOutOfService(k.emptyReason())
	case has && k.screen.Name == ScreenOutOfService:
		k.deps.Logger.Info("kiosk: back in service, the catalog has procedures again")
		k.showWelcome()
	}
}
