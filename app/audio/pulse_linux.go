//go:build linux && cgo

package audio

/*
#cgo pkg-config: alsa
#include <alsa/asoundlib.h>
#include <string.h>

// keepPulseStream turns off the underrun handling of ALSA's pulse plugin
// when it is the default device: it returns 1 if it did, 0 when the
// default device is not the pulse plugin, or an ALSA error.
static int keepPulseStream(void) {
	// ALSA reads the definition of its default device (the pulse plugin's
	// comes from a hook that asks whether the server runs) when a device
	// is first opened: opening it is how to read it as oto will.
	snd_pcm_t *pcm;
	int err = snd_pcm_open(&pcm, "default", SND_PCM_STREAM_PLAYBACK, 0);
	if (err < 0)
		return err;
	snd_pcm_close(pcm);
	snd_config_t *def, *node;
	const char *type;
	if (snd_config_search(snd_config, "pcm.default", &def) < 0 ||
	    snd_config_get_type(def) != SND_CONFIG_TYPE_COMPOUND ||
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
// outlive an underrun. By default ALSA's pulse plugin reports an underrun
// as an xrun; oto then recovers the device, and the plugin replaces the
// server's stream with a new one. That new stream:
//   - goes to the sink chosen when the device opened (PULSE_SINK, or the
//     default), not to the headphones the router moved the old one to: the
//     start of a prompt was heard on the speakers until the router moved
//     it again (TestHeadphones, 2 runs in 6 with a 20 ms buffer, where an
//     underrun under load is likely);
//   - holds its first sound back about 1.9 s on a null sink, which made a
//     sink that stopped writing silence late at the next touch
//     (BenchmarkOtoFirstSample/after-idle).
//
// Without the handling (the plugin's handle_underrun option, set here in
// ALSA's configuration as read by this process, before oto opens the
// device), the server's stream stays, and plays again once written to.
// Other default devices (a sound card, PipeWire's plugin) are left as they
// are.
func keepPulseStream() { C.keepPulseStream() }
