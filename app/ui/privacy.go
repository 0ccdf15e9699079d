package ui

// A personal number (a social security number) is typed in a public
// room. The kiosk never says a typed character on the loudspeakers, only
// where it went ("digit 4 of 13"). But a person who cannot see the
// keypad moves the keys' ring over it, and a ring naming each key would
// tell the room every digit just before it is chosen.
//
// What a blind person needs is to hear the keys, and what their privacy
// needs is that nobody else does. Cash machines solve it with a
// headphone jack: speech goes private. So does the kiosk:
//
//   - in headphones (the output staff named is plugged in), the ring
//     names the keys, and a typed character is said after its place, so
//     the person can check it;
//   - on the loudspeakers, the ring says only "key", and the first key
//     on the step says why, and what to do: plug in headphones, ask for
//     some at the desk, or type the digits on the keyboard, whose keys
//     can be found by touch (the 5 has a bump) and are not said.
//
// Where the sound goes is asked at each key: unplugged in the middle of
// a number, the next key is already silent about its name.

// keysPrivate reports whether the keys of screen s must not be named:
// a personal number's keypad, heard by the room.
func (k *Kiosk) keysPrivate(s *Screen) bool {
	return s.personal && !k.soundOutput().Headphones
}
