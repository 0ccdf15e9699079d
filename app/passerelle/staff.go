package passerelle

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// The events of staff mode. They belong to no user's session: each is
// alone in a session of its own (a new id, seq 1), so that the event log,
// its uniqueness rules and the sync to the hub take them as they are. Their
// kinds start with "staff_": statistics of users' sessions leave them out,
// and so does the closing of interrupted sessions. They never hold the PIN.
const (
	EventStaffUnlocked   EventKind = "staff_unlocked"    // Answer: "pin", or "pin_set" when the first PIN was just chosen
	EventStaffPINRefused EventKind = "staff_pin_refused" // Answer: the wrong PINs in a row, this one included
)

// StaffEventPrefix starts the kind of every staff event.
const StaffEventPrefix = "staff_"

// IsStaff reports whether the event is staff's, not a user's session's.
func (k EventKind) IsStaff() bool { return strings.HasPrefix(string(k), StaffEventPrefix) }

// StaffEvent returns an event of staff mode at now, in a session of its own.
func StaffEvent(kind EventKind, answer string, now time.Time) Event {
	return Event{ID: NewID(now), SessionID: NewID(now), Seq: 1, Kind: kind, At: now, Answer: answer}
}

// StaffStore keeps what staff mode needs on the kiosk: the hash of the
// staff PIN, the wrong PINs typed in a row (kept across restarts, so that
// restarting the kiosk does not reset the delays), and the settings staff
// saved.
type StaffStore interface {
	// PINHash returns the encoded hash of the staff PIN, or ErrNotFound
	// when no PIN was ever set.
	PINHash(ctx context.Context) (string, error)
	// SetPINHash stores the hash of a new PIN and forgets the wrong PINs.
	SetPINHash(ctx context.Context, hash string, at time.Time) error
	// PINFailures returns the wrong PINs in a row; zero when none.
	PINFailures(ctx context.Context) (PINFailures, error)
	// RecordPINFailure counts one more wrong PIN at at, atomically, and
	// returns the new count.
	RecordPINFailure(ctx context.Context, at time.Time) (PINFailures, error)
	// ClearPINFailures forgets the wrong PINs: the right one was typed.
	ClearPINFailures(ctx context.Context) error
	// SavedSettings returns the settings staff saved, by name (the names of
	// KioskSettings); a setting never saved is absent.
	SavedSettings(ctx context.Context) (map[string]string, error)
	// SaveSettings stores values by name in one transaction, replacing
	// earlier values of those names and leaving the others.
	SaveSettings(ctx context.Context, values map[string]string, at time.Time) error
}

// PINFailures are the wrong PINs typed in a row.
type PINFailures struct {
	Count int
	Last  time.Time // zero when Count is 0
}

// The rules of a staff PIN.
const (
	MinPINDigits = 4
	MaxPINDigits = 8
	// freePINFailures wrong PINs in a row cost nothing (a slip of the
	// finger); each one after waits twice as long as the one before, from
	// firstPINDelay to maxPINDelay. With the longest delay a 4-digit PIN
	// takes months to find by trying, and every try is an event.
	freePINFailures = 2
	firstPINDelay   = 5 * time.Second
	maxPINDelay     = time.Hour
)

// PINDelay is how long to wait after failures wrong PINs in a row before
// the next try.
func PINDelay(failures int) time.Duration {
	if failures <= freePINFailures {
		return 0
	}
	d := firstPINDelay
	for range failures - freePINFailures - 1 {
		d *= 2
		if d >= maxPINDelay {
			return maxPINDelay
		}
	}
	return d
}

// Wait is how long after now before the next try is allowed. A clock
// set back since the last failure never makes it longer than the delay.
func (f PINFailures) Wait(now time.Time) time.Duration {
	delay := PINDelay(f.Count)
	if delay == 0 {
		return 0
	}
	return min(max(f.Last.Add(delay).Sub(now), 0), delay)
}

// CheckNewPIN refuses a PIN staff may not choose, in one plain sentence:
// not 4 to 8 digits, or easy to guess (one digit repeated, digits that
// follow each other up or down, a group of digits repeated).
func CheckNewPIN(pin string) error {
	if len(pin) < MinPINDigits || len(pin) > MaxPINDigits || strings.Trim(pin, "0123456789") != "" {
		return fmt.Errorf("a staff PIN is %d to %d digits, nothing else", MinPINDigits, MaxPINDigits)
	}
	up, down := true, true
	for i := 1; i < len(pin); i++ {
		step := (int(pin[i]) - int(pin[i-1]) + 10) % 10
		up = up && step == 1
		down = down && step == 9
	}
	switch {
	case strings.Count(pin, pin[:1]) == len(pin):
		return fmt.Errorf("%s is too easy to guess: one digit repeated; choose digits with no pattern", pin)
	case up || down:
		return fmt.Errorf("%s is too easy to guess: digits that follow each other; choose digits with no pattern", pin)
	}
	for n := 2; n <= len(pin)/2; n++ {
		if len(pin)%n == 0 && strings.Repeat(pin[:n], len(pin)/n) == pin {
			return fmt.Errorf("%s is too easy to guess: %s repeated; choose digits with no pattern", pin, pin[:n])
		}
	}
	return nil
}

// PINParams are the costs of an argon2id hash. They are stored with each
// hash, so that a later version can raise them for new PINs and still
// check the old ones.
type PINParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8
}

// DefaultPINParams make checking a PIN take about 0.4 s on the kiosk's
// old PC (measured ~0.1 s on a 2024 server core; an old dual-core with
// DDR3 is 4 to 5 times slower): unnoticed by staff, but a stolen database
// file costs an attacker as much per guess. One thread: the kiosk's
// screen shares the two cores. 64 MiB and 3 passes are RFC 9106's second
// recommended choice.
var DefaultPINParams = PINParams{Memory: 64 << 10, Time: 3, Threads: 1}

// The bounds of parameters read back from a database: a hash with absurd
// costs (a damaged or hostile file) is refused rather than run.
const (
	maxPINMemory  = 1 << 20 // 1 GiB
	maxPINTime    = 100
	pinSaltBytes  = 16
	pinHashBytes  = 32
	pinHashFormat = "$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s"
)

var pinB64 = base64.RawStdEncoding

// HashPIN returns the PIN's argon2id hash with a random salt, encoded
// with its parameters in the PHC string format that other tools read.
func HashPIN(pin string, p PINParams) string {
	salt := make([]byte, pinSaltBytes)
	if _, err := rand.Read(salt); err != nil {
		panic(fmt.Sprintf("passerelle: no randomness: %v", err)) // crypto/rand does not fail on Linux
	}
	key := argon2.IDKey([]byte(pin), salt, p.Time, p.Memory, p.Threads, pinHashBytes)
	return fmt.Sprintf(pinHashFormat, argon2.Version, p.Memory, p.Time, p.Threads, pinB64.EncodeToString(salt), pinB64.EncodeToString(key))
}

// ParsePINHash reads an encoded hash's parameters, salt and key.
func ParsePINHash(encoded string) (p PINParams, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, errors.New("the staff PIN's hash is not an argon2id hash this version reads: set the PIN again with passerelle pin")
	}
	var m, t, threads uint64
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &threads); err != nil ||
		m < 8 || m > maxPINMemory || t < 1 || t > maxPINTime || threads < 1 || threads > 255 {
		return p, nil, nil, fmt.Errorf("the staff PIN's hash has parameters out of bounds (%s): set the PIN again with passerelle pin", parts[3])
	}
	salt, err1 := pinB64.DecodeString(parts[4])
	key, err2 := pinB64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 {
		return p, nil, nil, errors.New("the staff PIN's hash is damaged: set the PIN again with passerelle pin")
	}
	return PINParams{Memory: uint32(m), Time: uint32(t), Threads: uint8(threads)}, salt, key, nil
}

// ErrPINWait is returned when a PIN is tried before the delay after the
// last wrong one has passed: it is not even checked.
var ErrPINWait = errors.New("wait before trying another PIN")

// PINLock guards staff mode: it checks PINs against the stored hash,
// makes wrong PINs wait longer and longer, and records every unlock and
// every wrong PIN as an event.
type PINLock struct {
	Store  StaffStore
	Events Store // where unlocks and wrong PINs are recorded
	Now    func() time.Time
	// Params are the costs of the hashes of new PINs; zero means
	// DefaultPINParams. Tests lower them: the stored hash says its own.
	Params PINParams
}

func (l *PINLock) now() time.Time {
	if l.Now == nil {
		return time.Now()
	}
	return l.Now()
}

func (l *PINLock) params() PINParams {
	if l.Params == (PINParams{}) {
		return DefaultPINParams
	}
	return l.Params
}

// HasPIN reports whether staff set a PIN.
func (l *PINLock) HasPIN(ctx context.Context) (bool, error) {
	_, err := l.Store.PINHash(ctx)
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// Wait is how long before another PIN may be tried.
func (l *PINLock) Wait(ctx context.Context) (time.Duration, error) {
	f, err := l.Store.PINFailures(ctx)
	if err != nil {
		return 0, err
	}
	return f.Wait(l.now()), nil
}

// SetPIN checks a new PIN against the rules and stores its hash. The
// wrong PINs counted so far are forgotten.
func (l *PINLock) SetPIN(ctx context.Context, pin string) error {
	if err := CheckNewPIN(pin); err != nil {
		return err
	}
	if err := l.Store.SetPINHash(ctx, HashPIN(pin, l.params()), l.now()); err != nil {
		return fmt.Errorf("set the staff PIN: %w", err)
	}
	return nil
}

// Unlock checks pin. ok reports whether it is the staff PIN, and is then
// recorded as staff_unlocked; a wrong one is counted (before anything
// else, so that no failure goes uncounted), recorded as
// staff_pin_refused, and wait says how long before the next try. A try
// during that wait is refused with ErrPINWait, unchecked. With ok true,
// err says the unlock could not be recorded: staff still get in.
func (l *PINLock) Unlock(ctx context.Context, pin string) (ok bool, wait time.Duration, err error) {
	encoded, err := l.Store.PINHash(ctx)
	if err != nil {
		return false, 0, fmt.Errorf("check the staff PIN: %w", err)
	}
	f, err := l.Store.PINFailures(ctx)
	if err != nil {
		return false, 0, fmt.Errorf("check the staff PIN: %w", err)
	}
	if w := f.Wait(l.now()); w > 0 {
		return false, w, ErrPINWait
	}
	params, salt, key, err := ParsePINHash(encoded)
	if err != nil {
		return false, 0, err
	}
	got := argon2.IDKey([]byte(pin), salt, params.Time, params.Memory, params.Threads, uint32(len(key)))
	now := l.now()
	if subtle.ConstantTimeCompare(got, key) != 1 {
		f, err := l.Store.RecordPINFailure(ctx, now)
		if err != nil {
			return false, 0, fmt.Errorf("count a wrong staff PIN: %w", err)
		}
		ev := StaffEvent(EventStaffPINRefused, strconv.Itoa(f.Count), now)
		if err := l.Events.Append(ctx, ev); err != nil {
			return false, f.Wait(now), fmt.Errorf("record a wrong staff PIN: %w", err)
		}
		return false, f.Wait(now), nil
	}
	var errs []error
	if f.Count > 0 {
		errs = append(errs, l.Store.ClearPINFailures(ctx))
	}
	if params.Memory < l.params().Memory || params.Time < l.params().Time {
		// The PIN is known now: its hash takes today's costs.
		errs = append(errs, l.Store.SetPINHash(ctx, HashPIN(pin, l.params()), now))
	}
	errs = append(errs, l.Events.Append(ctx, StaffEvent(EventStaffUnlocked, "pin", now)))
	if err := errors.Join(errs...); err != nil {
		return true, 0, fmt.Errorf("record a staff unlock: %w", err)
	}
	return true, 0, nil
}

// RecordFirstUnlock records staff entering staff mode by choosing the
// first PIN on the kiosk.
func (l *PINLock) RecordFirstUnlock(ctx context.Context) error {
	return l.Events.Append(ctx, StaffEvent(EventStaffUnlocked, "pin_set", l.now()))
}

// KioskSettings are the kiosk's settings staff may change in staff mode,
// and flags may set. The names of the fields in the store are the flags'
// names: SettingInactivity and the others.
type KioskSettings struct {
	// Inactivity is how long without a touch before the kiosk asks "are you
	// still there?".
	Inactivity time.Duration
	// StillThereWait is how long the question waits for an answer before the
	// session ends and the screen goes back to welcome.
	StillThereWait time.Duration
	// ElsewhereWait replaces Inactivity on a step done on another device
	// (the person types on their phone, not on the kiosk): only after it
	// does the kiosk ask "are you still there?". Never shorter than
	// Inactivity.
	ElsewhereWait time.Duration
	Volume        float64 // 0 (silent) to 1
	Rate          int     // speech rate, words per minute
	// Langs are the languages offered, in the catalog's order; empty offers
	// every language of the catalog.
	Langs []Lang
	// Retention is how long a typed value a procedure allows to keep is
	// kept.
	Retention time.Duration
	// Scanning is one-switch scanning, for a person who can press one
	// switch and nothing more precise: the focus ring moves by itself
	// every ScanEvery, and any key acts on what it is on.
	Scanning  bool
	ScanEvery time.Duration
	// Touch tolerance, for a hand that trembles: a touch held less than
	// MinPress, and one coming less than IgnoreRepeat after the last one
	// taken, are ignored; 0 turns each off. Keys and switches are not
	// touches: they are never ignored.
	MinPress     time.Duration
	IgnoreRepeat time.Duration
	// LargeText makes every text half as large again, for people with
	// low vision.
	LargeText bool
	// Headphones names the output the prompts go to when it is plugged
	// in (a PulseAudio or PipeWire sink, or an ALSA card); "" or absent:
	// the default output. Only the person wearing them hears a personal
	// step's keys named.
	Headphones string
}

// The names of the settings, in the store and on the command line.
const (
	SettingInactivity = "inactivity"
	SettingStillThere = "still-there"
	SettingElsewhere  = "elsewhere-wait"
	SettingVolume     = "volume"
	SettingRate       = "rate"
	SettingLangs      = "languages"
	SettingRetention  = "retention"
	SettingScan       = "scan"
	SettingScanEvery  = "scan-every"
	SettingMinPress   = "min-press"
	SettingRepeat     = "ignore-repeat"
	SettingLargeText  = "large-text"
	SettingHeadphones = "headphones"
)

// SettingNames lists every setting, in the order staff see them.
var SettingNames = []string{SettingInactivity, SettingStillThere, SettingElsewhere, SettingVolume, SettingRate, SettingLangs, SettingRetention, SettingScan, SettingScanEvery, SettingMinPress, SettingRepeat, SettingLargeText, SettingHeadphones}

// The ranges of the settings: outside them a kiosk in a public place would
// not work (a question covering every screen at once, a session ended
// before anyone can answer, speech too fast to follow).
const (
	MinInactivity, MaxInactivity = 20 * time.Second, 30 * time.Minute
	MinStillThere, MaxStillThere = 10 * time.Second, 5 * time.Minute
	MinElsewhere, MaxElsewhere   = 2 * time.Minute, time.Hour
	MaxRetention                 = 366 * 24 * time.Hour
	MinSpeechRate, MaxSpeechRate = 80, 450
	// Faster than half a second no switch user can follow the ring;
	// slower than 10 s a screen takes minutes to go round.
	MinScanEvery, MaxScanEvery = 500 * time.Millisecond, 10 * time.Second
	// A touch held longer than 2 s is a long press; a second touch 3 s
	// after the first is meant.
	MaxMinPress, MaxIgnoreRepeat = 2 * time.Second, 3 * time.Second
)

// deviceName is the name of a sound output: PulseAudio's sinks are
// named like alsa_output.usb-Logitech_USB_Headset-00.analog-stereo or
// bluez_sink.00_11_22_33_44_55.a2dp_sink, ALSA's cards like Headset.
// Never starting with "-", which pactl would read as an option.
var deviceName = regexp.MustCompile(`^([A-Za-z0-9_.:@][A-Za-z0-9_.:@-]{0,199})?$`)

// DefaultKioskSettings are the settings of a kiosk in a public place.
var DefaultKioskSettings = KioskSettings{
	Inactivity:     90 * time.Second,
	StillThereWait: 30 * time.Second,
	ElsewhereWait:  10 * time.Minute,
	Volume:         1,
	Rate:           150,
	Retention:      30 * 24 * time.Hour,
	ScanEvery:      1500 * time.Millisecond,
}

// Value returns the setting called name as it is stored: durations as Go
// writes them, languages as codes separated by commas.
func (s KioskSettings) Value(name string) string {
	switch name {
	case SettingInactivity:
		return s.Inactivity.String()
	case SettingStillThere:
		return s.StillThereWait.String()
	case SettingElsewhere:
		return s.ElsewhereWait.String()
	case SettingVolume:
		return strconv.FormatFloat(s.Volume, 'f', -1, 64)
	case SettingRate:
		return strconv.Itoa(s.Rate)
	case SettingLangs:
		codes := make([]string, len(s.Langs))
		for i, l := range s.Langs {
			codes[i] = string(l)
		}
		return strings.Join(codes, ",")
	case SettingRetention:
		return s.Retention.String()
	case SettingScan:
		return strconv.FormatBool(s.Scanning)
	case SettingScanEvery:
		return s.ScanEvery.String()
	case SettingMinPress:
		return s.MinPress.String()
	case SettingRepeat:
		return s.IgnoreRepeat.String()
	case SettingLargeText:
		return strconv.FormatBool(s.LargeText)
	case SettingHeadphones:
		return s.Headphones
	}
	return ""
}

// Set reads the setting called name from value, as Value writes it, and
// checks its range: an error says in one sentence what to give.
func (s *KioskSettings) Set(name, value string) error {
	value = strings.TrimSpace(value)
	duration := func(d *time.Duration, lo, hi time.Duration) error {
		v, err := time.ParseDuration(value)
		if err != nil || v < lo || v > hi {
			like := "90s or 2m"
			if hi <= 10*time.Second { // the settings of touches and of the ring
				like = "300ms or 1.5s"
			}
			return fmt.Errorf("%s %q: give a duration from %s to %s, like %s", name, value, plain(lo), plain(hi), like)
		}
		*d = v
		return nil
	}
	switch name {
	case SettingInactivity:
		return duration(&s.Inactivity, MinInactivity, MaxInactivity)
	case SettingStillThere:
		return duration(&s.StillThereWait, MinStillThere, MaxStillThere)
	case SettingElsewhere:
		return duration(&s.ElsewhereWait, MinElsewhere, MaxElsewhere)
	case SettingRetention:
		return duration(&s.Retention, 0, MaxRetention)
	case SettingScanEvery:
		return duration(&s.ScanEvery, MinScanEvery, MaxScanEvery)
	case SettingMinPress:
		return duration(&s.MinPress, 0, MaxMinPress)
	case SettingRepeat:
		return duration(&s.IgnoreRepeat, 0, MaxIgnoreRepeat)
	case SettingScan:
		v, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("scan %q: give true (the ring moves by itself) or false", value)
		}
		s.Scanning = v
	case SettingLargeText:
		v, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("large-text %q: give true (text half as large again) or false", value)
		}
		s.LargeText = v
	case SettingVolume:
		v, err := strconv.ParseFloat(value, 64)
		if err != nil || !(v >= 0 && v <= 1) {
			return fmt.Errorf("volume %q: give a number from 0 (silent) to 1 (full)", value)
		}
		s.Volume = v
	case SettingHeadphones:
		if !deviceName.MatchString(value) {
			return fmt.Errorf("headphones %q: give the name of a sink as pactl list short sinks writes it, or of a card as aplay -l writes it, or nothing", value)
		}
		s.Headphones = value
	case SettingRate:
		v, err := strconv.Atoi(value)
		if err != nil || v < MinSpeechRate || v > MaxSpeechRate {
			return fmt.Errorf("rate %q: give a speech rate from %d to %d words per minute", value, MinSpeechRate, MaxSpeechRate)
		}
		s.Rate = v
	case SettingLangs:
		var langs []Lang
		for code := range strings.SplitSeq(value, ",") {
			if code = strings.TrimSpace(code); code == "" {
				continue
			}
			if _, ok := LookupLanguage(Lang(code)); !ok {
				return fmt.Errorf("languages %q: %q is not a language Passerelle knows", value, code)
			}
			if !slices.Contains(langs, Lang(code)) {
				langs = append(langs, Lang(code))
			}
		}
		s.Langs = langs
	default:
		return fmt.Errorf("%q is not a setting of the kiosk", name)
	}
	return nil
}

// Validate checks every setting's range, and that a step done on another
// device never waits less than one done on the kiosk.
func (s KioskSettings) Validate() error {
	for _, name := range SettingNames {
		var copy KioskSettings
		if err := copy.Set(name, s.Value(name)); err != nil {
			return err
		}
	}
	if s.ElsewhereWait < s.Inactivity {
		return fmt.Errorf("elsewhere-wait %s is shorter than inactivity %s: a person working on their phone would be asked sooner than one at the kiosk",
			plain(s.ElsewhereWait), plain(s.Inactivity))
	}
	return nil
}

// Offered returns the languages of the catalog the settings offer, in the
// catalog's order. Settings that leave none (a language since taken out
// of the catalog) offer them all: a setting never empties the kiosk.
func (s KioskSettings) Offered(c *Catalog) []Lang {
	all := c.Langs()
	if len(s.Langs) == 0 {
		return all
	}
	var offered []Lang
	for _, l := range all {
		if slices.Contains(s.Langs, l) {
			offered = append(offered, l)
		}
	}
	if len(offered) == 0 {
		return all
	}
	return offered
}

// WithSaved returns s with the saved settings applied, except those named
// in keep (given on the command line: they win). A saved value that does
// not read (a file edited by hand, a later version's) is skipped and
// reported; the others apply.
func (s KioskSettings) WithSaved(saved map[string]string, keep map[string]bool) (KioskSettings, error) {
	var errs []error
	for _, name := range SettingNames {
		value, ok := saved[name]
		if !ok || keep[name] {
			continue
		}
		next := s
		if err := next.Set(name, value); err != nil {
			errs = append(errs, fmt.Errorf("saved setting %w: the kiosk uses %s", err, s.Value(name)))
			continue
		}
		s = next
	}
	if s.ElsewhereWait < s.Inactivity {
		s.ElsewhereWait = s.Inactivity
	}
	return s, errors.Join(errs...)
}

// plain writes d as staff would type it: 30m, not 30m0s.
func plain(d time.Duration) string {
	s := d.String()
	if t, ok := strings.CutSuffix(s, "m0s"); ok {
		s = t + "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}

// SyncState is what staff mode reads of the kiosk's sync (Outbox's
// readers): the hub, the last syncs, the events still to send.
type SyncState interface {
	HubLink(ctx context.Context) (HubLink, error)
	SyncStatus(ctx context.Context) (SyncStatus, error)
	Pending(ctx context.Context) (int, error)
}
