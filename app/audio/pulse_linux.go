//go:build linux && cgo

package audio

/*
#cgo pkg-config: alsa
#include <alsa/asoundlib.h>
#include <string.h>

// keepPulseStream turns off the underrun handling of ALSA's pulse plugin
// when it is the default device (or the device the default names). It
// returns 1 if it did, 2 when the default device is a sound card's own,
// 0 for any other device, or an ALSA error.
static int keepPulseStream(void) {
	// ALSA reads the definition of its default device (the pulse plugin's
	// comes from a hook that asks whether the server runs) when a device
	// is first opened: opening it is how to read it as oto will.
	snd_pcm_t *pcm;
	int err = snd_pcm_open(&pcm, "default", SND_PCM_STREAM_PLAYBACK, 0);
	if (err < 0)
		return err;
	int card = snd_pcm_type(pcm) == SND_PCM_TYPE_HW;
	snd_pcm_close(pcm);
	if (card)
		return 2;
	snd_config_t *def, *node;
	const char *type, *alias;
	if (snd_config_search(snd_config, "pcm.default", &def) < 0)
		return 0;
	// pcm.!default "pulse", as an .asoundrc may say.
	if (snd_config_get_string(def, &alias) >= 0 &&
	    snd_config_search(snd_config, "pcm", &node) >= 0 &&
	    snd_config_search(node, alias, &def) < 0)
		return 0;
	if (snd_config_get_type(def) != SND_CONFIG_TYPE_COMPOUND ||
	    snd_config_search(def, "type", &node) < 0 ||
	    snd_config_get_string(node, &type) < 0 || strcmp(type, "pulse") != 0)
		return 0;
	if (snd_config_search(def, "handle_underrun", &node) >= 0)
		snd_config_delete(node);
	if ((err = snd_config_imake_integer(&node, "handle_underrun", 0)) < 0)
		return err;
	if ((err = snd_config_add(def, node)) < 0) {
		snd_config_delete(node);
		return err;
	}
	return 1;
}
*/
import "C"

// keepPulseStream makes the stream the sound device opens on PulseAudio
// outlive an underrun, and reports whether the device plays again at once
// after oto stopped writing to it (a suspended context), so that the sink
// may suspend it as soon as a sound ends.
//
// By default ALSA's pulse plugin reports an underrun as an xrun; oto then
// recovers the device, and the plugin replaces the server's stream with a
// new one. That new stream:
//   - goes to the sink chosen when the device opened (PULSE_SINK, or the
//     default), not to the headphones the router moved the old one to: the
//     start of a prompt was heard on the speakers until the router moved
//     it again (TestHeadphones, 2 runs in 6 with a 20 ms buffer, where an
//     underrun under load is likely);
//   - holds its first sound back about 1.9 s on a null sink
//     (BenchmarkOtoFirstSample/after-idle).
//
// Without the handling (the plugin's handle_underrun option, set here in
// ALSA's configuration as this process read it, before oto opens the
// device), the server's stream stays where it is, and plays again as soon
// as it is written to: one stream for the life of the process. A sound
// card's own device recovers at once too. Other devices (a plugin in
// front of the pulse plugin or of a card, PipeWire's) are left as they
// are, and not known to resume quickly.
func keepPulseStream() (quickResume bool) { return C.keepPulseStream() > 0 }
