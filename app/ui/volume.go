package ui

import (
	"fmt"
	"math"

	"passerelle/app/passerelle"
)

// The volume the person at the kiosk chooses: the bar's volume control
// (a touch or Enter goes one step louder, from the loudest back to the
// quietest), or + and - on a keyboard. It lasts for their session: the
// next person starts at the staff's volume.
//
// The steps go up to the staff's volume on the loudspeakers, which the
// whole room hears, and up to full in headphones, which only the person
// hears; the quietest is a fifth of the loudest. (Keyboards' own volume
// keys never reach the kiosk: the toolkit does not report them; the
// desktop takes them for the system's volume.)

// volumeSteps is how many volumes there are: a few presses go from the
// quietest to the loudest.
const volumeSteps = 5

// volumeLevels are the volumes the person may choose, quietest first.
func (k *Kiosk) volumeLevels() []float64 {
	top := k.Volume
	if k.soundOutput().Headphones {
		top = 1
	}
	levels := make([]float64, volumeSteps)
	for i := range levels {
		levels[i] = top * float64(i+1) / volumeSteps
	}
	return levels
}

// volumeStep is the step the person is at, from 1: theirs, or the one
// nearest the staff's volume.
func (k *Kiosk) volumeStep() int {
	if k.userVolume > 0 {
		return k.userVolume
	}
	levels := k.volumeLevels()
	best := 0
	for i, v := range levels {
		if math.Abs(v-k.Volume) <= math.Abs(levels[best]-k.Volume) {
			best = i
		}
	}
	return best + 1
}

// changeVolume moves the volume by step (+1 louder, -1 quieter), within
// the steps, or with wrap from the loudest round to the quietest (the
// single control of the bar). It says the new step at the new volume.
func (k *Kiosk) changeVolume(step int, wrap bool) {
	k.touched()
	to := k.volumeStep() + step
	switch {
	case wrap && to > volumeSteps:
		to = 1
	case to > volumeSteps:
		to = volumeSteps
	case to < 1:
		to = 1
	}
	k.userVolume = to
	if k.deps.SetVolume != nil {
		k.deps.SetVolume(k.volumeLevels()[to-1])
	}
	k.play(volumePrompt(k.speechLang(), to))
}

// keepVolume sets the person's volume again before a prompt: their step
// is a share of the loudest, which falls to the staff's volume when the
// headphones are unplugged, so the room never hears the headphones' full
// volume.
func (k *Kiosk) keepVolume() {
	if k.userVolume > 0 && k.deps.SetVolume != nil {
		k.deps.SetVolume(k.volumeLevels()[k.userVolume-1])
	}
}

// staffVolume gives the next person the staff's volume back.
func (k *Kiosk) staffVolume() {
	if k.userVolume == 0 {
		return
	}
	k.userVolume = 0
	if k.deps.SetVolume != nil {
		k.deps.SetVolume(k.Volume)
	}
}

// volumePrompt says a step: "volume 3 of 5".
func volumePrompt(lang passerelle.Lang, step int) passerelle.Prompt {
	return passerelle.Prompt{Text: fmt.Sprintf(say(lang, phraseVolumeOf), step, volumeSteps), Lang: lang}
}

// volumeSpeech is every step said in the catalog's languages, rendered
// ahead of time.
func volumeSpeech(c *passerelle.Catalog) []passerelle.Prompt {
	var prompts []passerelle.Prompt
	for _, l := range c.Langs() {
		for step := 1; step <= volumeSteps; step++ {
			prompts = append(prompts, volumePrompt(l, step))
		}
	}
	return prompts
}
