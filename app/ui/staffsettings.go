package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"passerelle/app/passerelle"
)

// settingsForm builds the settings tab: the kiosk's settings as they are
// now, checked with the flags' ranges when saved, stored, and applied at
// once. A setting given on the command line wins: it is shown, not
// editable.
func (k *Kiosk) settingsForm(v *StaffView) fyne.CanvasObject {
	cur := k.KioskSettings
	pinned := func(name string, w fyne.Disableable) string {
		if k.deps.Pinned[name] {
			w.Disable()
			return fmt.Sprintf("set by -%s on the command line, which wins", name)
		}
		return ""
	}
	touched := func(string) { k.staffTouched() }
	form := widget.NewForm()
	v.form = form
	v.Durations = map[string]*widget.Entry{}
	for _, d := range []struct{ name, label, hint string }{
		{passerelle.SettingInactivity, "Inactivity before \"are you still there?\"", "20s to 30m, like 90s or 2m"},
		{passerelle.SettingStillThere, "Wait for an answer before the session ends", "10s to 5m"},
		{passerelle.SettingElsewhere, "Inactivity on a step done on another device", "2m to 1h, not shorter than the inactivity"},
		{passerelle.SettingMinPress, "Ignore touches shorter than", "0s (off) to 2s, like 150ms: for a hand that trembles"},
		{passerelle.SettingRepeat, "Ignore a touch that follows another within", "0s (off) to 3s, like 500ms: for a hand that trembles"},
	} {
		e := widget.NewEntry()
		e.SetText(plainDuration(cur.Value(d.name)))
		e.OnChanged = touched
		v.Durations[d.name] = e
		form.Append(d.label, hinted(e, d.hint, pinned(d.name, e)))
	}

	v.Volume = widget.NewSlider(0, 1)
	v.Volume.Step = 0.05
	v.Volume.SetValue(cur.Volume)
	v.Volume.OnChanged = func(float64) { k.staffTouched() }
	form.Append("Volume", hinted(v.Volume, "0 (silent) to full", pinned(passerelle.SettingVolume, v.Volume)))

	v.Rate = widget.NewSlider(passerelle.MinSpeechRate, passerelle.MaxSpeechRate)
	v.Rate.Step = 10
	v.Rate.SetValue(float64(cur.Rate))
	v.Rate.OnChanged = func(float64) { k.staffTouched() }
	form.Append("Speech rate", hinted(v.Rate, fmt.Sprintf("%d to %d words per minute; now %d", passerelle.MinSpeechRate, passerelle.MaxSpeechRate, cur.Rate),
		pinned(passerelle.SettingRate, v.Rate)))

	v.Headphones = widget.NewEntry()
	v.Headphones.SetText(cur.Headphones)
	v.Headphones.SetPlaceHolder("none")
	v.Headphones.OnChanged = touched
	v.Output = widget.NewLabel("Prompts go to " + k.soundOutput().Says + ".")
	v.Output.Wrapping = fyne.TextWrapWord
	form.Append("Headphones", container.NewVBox(hinted(v.Headphones,
		"a sink's name from pactl list short sinks, or a card's from aplay -l; empty: none", pinned(passerelle.SettingHeadphones, v.Headphones)), v.Output))

	v.Scan = widget.NewCheck("The focus ring moves by itself; any key acts on what it is on", func(bool) { k.staffTouched() })
	v.Scan.SetChecked(cur.Scanning)
	form.Append("One-switch scanning", hinted(v.Scan, "for a person who can press one switch and nothing more precise", pinned(passerelle.SettingScan, v.Scan)))
	every := widget.NewEntry()
	every.SetText(plainDuration(cur.Value(passerelle.SettingScanEvery)))
	every.OnChanged = touched
	v.Durations[passerelle.SettingScanEvery] = every
	form.Append("Time between two moves of the ring", hinted(every, "0.5s to 10s, like 1.5s", pinned(passerelle.SettingScanEvery, every)))

	v.LargeText = widget.NewCheck("Text half as large again on every screen", func(bool) { k.staffTouched() })
	v.LargeText.SetChecked(cur.LargeText)
	form.Append("Large text", hinted(v.LargeText, "for people with low vision; fewer words fit, the rest is spoken", pinned(passerelle.SettingLargeText, v.LargeText)))

	v.Langs = map[passerelle.Lang]*widget.Check{}
	offered := cur.Offered(k.catalog.Load())
	langs := container.NewHBox()
	for _, l := range k.catalog.Load().Langs() {
		lang, _ := passerelle.LookupLanguage(l)
		c := widget.NewCheck(fmt.Sprintf("%s: %s", l, lang.Native), func(bool) { k.staffTouched() })
		c.SetChecked(slices.Contains(offered, l))
		v.Langs[l] = c
		langs.Add(c)
	}
	form.Append("Languages offered", hinted(langs, "at least one", ""))

	v.Retention = widget.NewEntry()
	v.Retention.SetText(strconv.FormatFloat(cur.Retention.Hours()/24, 'f', -1, 64))
	v.Retention.OnChanged = touched
	form.Append("Days a typed number is kept", hinted(v.Retention, "0 (not at all) to 366, when a procedure allows keeping it",
		pinned(passerelle.SettingRetention, v.Retention)))

	v.Saved = widget.NewLabel("")
	v.Saved.Wrapping = fyne.TextWrapWord
	v.Save = widget.NewButton("Save and apply", func() { k.saveSettings(v) })
	v.Save.Importance = widget.HighImportance
	return container.NewVBox(form, v.Save, v.Saved)
}

// hinted puts a small line under a setting's control: its range, or why
// it cannot be changed here. (The form's own hints take their size when
// made, before the staff theme applies.)
func hinted(control fyne.CanvasObject, hint, pinned string) fyne.CanvasObject {
	if pinned != "" {
		hint = pinned
	}
	l := widget.NewLabel(hint)
	l.SizeName = theme.SizeNameCaptionText
	return container.NewVBox(control, l)
}

// saveSettings reads the form, checks it, stores what staff may change
// and applies it to the running kiosk. Nothing is stored unless all of
// it is right.
func (k *Kiosk) saveSettings(v *StaffView) {
	k.staffTouched()
	next := k.KioskSettings
	var problems []string
	set := func(name, value string) {
		if k.deps.Pinned[name] {
			return
		}
		if err := next.Set(name, value); err != nil {
			problems = append(problems, err.Error())
		}
	}
	for name, e := range v.Durations {
		set(name, e.Text)
	}
	set(passerelle.SettingVolume, strconv.FormatFloat(v.Volume.Value, 'f', -1, 64))
	set(passerelle.SettingRate, strconv.Itoa(int(v.Rate.Value)))
	set(passerelle.SettingScan, strconv.FormatBool(v.Scan.Checked))
	set(passerelle.SettingLargeText, strconv.FormatBool(v.LargeText.Checked))
	set(passerelle.SettingHeadphones, v.Headphones.Text)
	if days, err := strconv.ParseFloat(strings.TrimSpace(v.Retention.Text), 64); err != nil || days < 0 || days > 366 {
		problems = append(problems, fmt.Sprintf("days a typed number is kept %q: give a number of days from 0 to 366", v.Retention.Text))
	} else {
		set(passerelle.SettingRetention, (time.Duration(days*24) * time.Hour).String())
	}
	var codes []string
	for _, l := range k.catalog.Load().Langs() {
		if c := v.Langs[l]; c != nil && c.Checked {
			codes = append(codes, string(l))
		}
	}
	if len(codes) == 0 {
		problems = append(problems, "languages offered: tick at least one")
	}
	set(passerelle.SettingLangs, strings.Join(codes, ","))
	if len(problems) == 0 {
		if err := next.Validate(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		v.Saved.SetText("Nothing was saved: " + strings.Join(problems, "; ") + ".")
		return
	}
	values := map[string]string{}
	for _, name := range passerelle.SettingNames {
		if !k.deps.Pinned[name] {
			values[name] = next.Value(name)
		}
	}
	if err := k.deps.Staff.SaveSettings(k.ctx, values, k.deps.Now()); err != nil {
		k.deps.Logger.Error("kiosk: the settings cannot be saved", "err", err)
		v.Saved.SetText("Nothing was saved: the kiosk's database refused it (the kiosk's log says why).")
		return
	}
	k.applySettings(next)
	k.deps.Logger.Info("kiosk: staff changed the settings", "settings", values)
	v.Saved.SetText("Saved: the kiosk uses these settings now.")
	v.Output.SetText("Prompts go to " + k.soundOutput().Says + ".")
}

// applySettings makes settings live: the kiosk reads its delays and
// languages as it goes; the player and the purge get theirs.
func (k *Kiosk) applySettings(next passerelle.KioskSettings) {
	rateChanged := next.Rate != k.Rate
	textChanged := next.LargeText != k.LargeText
	k.KioskSettings = next
	if textChanged {
		k.applyTheme() // the next screen, when staff leave, has the new sizes
	}
	k.followScanning()
	if k.deps.OnSettings != nil {
		k.deps.OnSettings(next)
	}
	if rateChanged {
		k.prepareSpeech(k.catalog.Load()) // at the new rate, before a user waits for it
	}
}

// soundOutput says where the prompts are heard now.
func (k *Kiosk) soundOutput() passerelle.SoundOutput {
	if k.deps.SoundOutput == nil {
		return passerelle.SoundOutput{Says: "the default output"}
	}
	return k.deps.SoundOutput()
}

// plainDuration writes a stored duration as staff would type it: 30m,
// not 30m0s.
func plainDuration(s string) string {
	if t, ok := strings.CutSuffix(s, "m0s"); ok {
		s = t + "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}
