package procedure

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"time"

	"passerelle/app/passerelle"
)

// A snapshot is a loaded catalog kept on disk, so that a kiosk (re)starting
// on an unchanged catalog does not read and check it again. Measured on the
// 2-core reference machine with a catalog of 500 procedures (10 MB of
// snapshot), the watcher's start costs 1.3 s of CPU with a full load (YAML
// parsing is half of it) and 95 ms of CPU, 100 ms of wall time, from the
// snapshot: some 4 000 stats, 40 ms of decoding, the folders' watches.
// Keeping a snapshot costs some 300 ms of CPU after a full load, in the
// background.
//
// It holds every question the load asked the file system, with its answer:
// each file and folder looked at, found or not (a folder's stamp changes
// when a name is added, removed or renamed in it, so it stands for the
// folder's listing), and where each link led. The snapshot is used only when
// asking them all again gives the same answers, the program is the same
// build and the load would be asked the same (same folder and options), on
// one of the days its load holds for (days).
// Anything else, or a snapshot that cannot be read, means a full load: a
// stale snapshot would show a catalog that is no longer on disk.

// snapshotFormat changes whenever what a snapshot holds changes shape.
const snapshotFormat = 3

// touch is one question a load asked the file system, and the answer.
type touch struct {
	Op    touchOp
	Stamp stamp  // touchStat: the file or folder as it was; Stamp.Path is the path asked about
	Real  string // touchReal, touchDir: where the links of the path led
	Err   string // touchReal, touchDir: why they could not be followed
}

type touchOp uint8

const (
	touchStat touchOp = iota // os.Stat (a folder's also stands for its listing)
	touchReal                // disk.realFile
	touchDir                 // disk.dir
)

// snapshotKey is what the load depended on besides the files.
type snapshotKey struct {
	Format  int
	Program stamp // the running program's file: a new build never reads an old snapshot
	Dir     string
	WorkDir string // a relative Dir is relative to it
	MaxAge  time.Duration
	NoHints bool
}

// snapshotBody is the loaded catalog. The bytes of pictograms are kept once
// each, by path: the 500 procedures of a big catalog use the same shared
// pictograms 20 000 times.
type snapshotBody struct {
	Result     Result
	Pictograms map[string][]byte
}

// keyFor is the snapshot key of a load of dir.
func (l *Loader) keyFor(dir string) (snapshotKey, error) {
	exe, err := os.Executable()
	if err != nil {
		return snapshotKey{}, err
	}
	info, err := os.Stat(exe)
	if err != nil {
		return snapshotKey{}, err
	}
	key := snapshotKey{Format: snapshotFormat, Program: stampOf(exe, info, nil), Dir: dir,
		MaxAge: l.SourcesMaxAge, NoHints: l.noHints}
	if !filepath.IsAbs(dir) { // the paths in the catalog loaded start with dir
		if key.WorkDir, err = os.Getwd(); err != nil {
			return snapshotKey{}, err
		}
	}
	return key, nil
}

// checksum ends a snapshot file: a byte changed on disk may still decode,
// as another title or another pictogram. CRC-32C costs under a
// millisecond for the 10 MB of a 500-procedure catalog.
var checksum = crc32.MakeTable(crc32.Castagnoli)

// readSnapshot returns the catalog kept in file when it is the one a full
// load would give now, on today; ok is false otherwise, for whatever reason.
func readSnapshot(file string, key snapshotKey, today time.Time) (res Result, ok bool) {
	defer func() {
		// A damaged file must never stop the kiosk: a full load mends it.
		if recover() != nil {
			res, ok = Result{}, false
		}
	}()
	data, err := os.ReadFile(file)
	if err != nil || len(data) < 4 {
		return Result{}, false
	}
	data, sum := data[:len(data)-4], data[len(data)-4:]
	if binary.BigEndian.Uint32(sum) != crc32.Checksum(data, checksum) {
		return Result{}, false
	}
	dec := gob.NewDecoder(bytes.NewReader(data))
	var kept snapshotKey
	var valid days
	var touches []touch
	if dec.Decode(&kept) != nil || kept != key || dec.Decode(&valid) != nil || !valid.hold(today) ||
		dec.Decode(&touches) != nil || !unchanged(touches) {
		return Result{}, false
	}
	var body snapshotBody
	if dec.Decode(&body) != nil {
		return Result{}, false
	}
	return body.restore(), true
}

// unchanged reports whether asking every question again gives the same
// answers. The questions are asked on every core: a few thousand stats.
func unchanged(touches []touch) bool {
	d := new(disk) // follows each folder's links once
	var wg sync.WaitGroup
	var mu sync.Mutex
	same := true
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(touches); i += workers {
				if !touches[i].again(d) {
					mu.Lock()
					same = false
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return same && len(touches) > 0
}

// again reports whether the question gets the same answer now.
func (t touch) again(d *disk) bool {
	switch t.Op {
	case touchStat:
		info, err := os.Stat(t.Stamp.Path)
		return stampOf(t.Stamp.Path, info, err) == t.Stamp
	case touchReal:
		real, err := d.realFile(t.Stamp.Path)
		return linkTouch(touchReal, t.Stamp.Path, real, err) == t
	case touchDir:
		real, err := d.dir(t.Stamp.Path)
		return linkTouch(touchDir, t.Stamp.Path, real, err) == t
	}
	return false
}

// linkTouch is the answer of following the links of path.
func linkTouch(op touchOp, path, real string, err error) touch {
	t := touch{Op: op, Stamp: stamp{Path: path}, Real: real}
	if err != nil {
		t.Err = err.Error()
	}
	return t
}

// writeSnapshot keeps res, loaded with key after asking touches, in file,
// for the days valid.
// It first reads what it wrote back and compares it with res, field by
// field: what cannot come back identical is not kept.
func writeSnapshot(file string, key snapshotKey, valid days, touches []touch, res Result) error {
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	if err := enc.Encode(key); err != nil {
		return fmt.Errorf("snapshot %s: %w", file, err)
	}
	if err := enc.Encode(valid); err != nil {
		return fmt.Errorf("snapshot %s: %w", file, err)
	}
	if err := enc.Encode(uniqueTouches(touches)); err != nil {
		return fmt.Errorf("snapshot %s: %w", file, err)
	}
	if err := enc.Encode(bodyOf(res)); err != nil {
		return fmt.Errorf("snapshot %s: %w", file, err)
	}
	if err := checkRoundTrip(buf.Bytes(), res); err != nil {
		return fmt.Errorf("snapshot %s: %w", file, err)
	}
	buf.Write(binary.BigEndian.AppendUint32(nil, crc32.Checksum(buf.Bytes(), checksum)))
	// One temporary name, not a new one each time: a kiosk cut off while
	// writing leaves no 10 MB file behind for each time it was.
	tmp, err := os.OpenFile(file+".tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", file, err)
	}
	_, err = tmp.Write(buf.Bytes())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// A rename replaces the old snapshot whole: a kiosk starting
		// meanwhile reads the old one or the new one. A file cut short by
		// a power cut fails to decode, which means a full load.
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("snapshot %s: %w", file, err)
	}
	return nil
}

// checkRoundTrip decodes a snapshot's body as readSnapshot does and
// compares it with res. A kind of value encoding/gob does not keep (an
// empty map comes back nil) must never make a kiosk show another catalog.
func checkRoundTrip(data []byte, res Result) error {
	dec := gob.NewDecoder(bytes.NewReader(data))
	var key snapshotKey
	var valid days
	var touches []touch
	var body snapshotBody
	if err := errors.Join(dec.Decode(&key), dec.Decode(&valid), dec.Decode(&touches), dec.Decode(&body)); err != nil {
		return err
	}
	if !reflect.DeepEqual(body.restore(), res) {
		return errors.New("the catalog read back differs from the one loaded; not kept")
	}
	return nil
}

// uniqueTouches drops the questions asked twice with the same answer:
// every procedure asks about the same shared pictograms.
func uniqueTouches(touches []touch) []touch {
	seen := make(map[touch]bool, len(touches))
	out := make([]touch, 0, len(touches))
	for _, t := range touches {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return slices.Clone(out) // no room left for the duplicates: loads keep it
}

// bodyOf copies what res holds for encoding, with each pictogram's bytes
// moved to the shared table. res itself is live and is not changed.
func bodyOf(res Result) snapshotBody {
	body := snapshotBody{Result: res, Pictograms: map[string][]byte{}}
	body.Result.Procedures = make([]*passerelle.Procedure, len(res.Procedures))
	for i, p := range res.Procedures {
		c := *p
		c.Documents = make(map[string]*passerelle.Document, len(p.Documents))
		for id, d := range p.Documents {
			dc := *d
			c.Documents[id] = &dc
		}
		c.Steps = make([]*passerelle.Step, len(p.Steps))
		for j, s := range p.Steps {
			sc := *s
			sc.Options = make([]*passerelle.Option, len(s.Options))
			for k, o := range s.Options {
				oc := *o
				sc.Options[k] = &oc
			}
			if s.Options == nil {
				sc.Options = nil
			}
			c.Steps[j] = &sc
		}
		if p.Steps == nil {
			c.Steps = nil
		}
		body.Result.Procedures[i] = &c
	}
	if res.Procedures == nil {
		body.Result.Procedures = nil
	}
	if res.Places != nil {
		body.Result.Places = make([]*passerelle.Place, len(res.Places))
		for i, pl := range res.Places {
			c := *pl
			body.Result.Places[i] = &c
		}
	}
	body.Result.eachPictogram(func(m *passerelle.Media) {
		if m.Data != nil && m.Path != "" {
			body.Pictograms[m.Path] = m.Data
			m.Data = nil
		}
	})
	return body
}

// restore gives back the Result a snapshot's body was made of.
func (body snapshotBody) restore() Result {
	res := body.Result
	res.eachPictogram(func(m *passerelle.Media) {
		if data, ok := body.Pictograms[m.Path]; ok && m.Data == nil {
			m.Data = data
		}
	})
	if res.Broken == nil { // encoding/gob does not send an empty map
		res.Broken = map[string]bool{}
	}
	for _, p := range res.Procedures {
		if p.Documents == nil {
			p.Documents = map[string]*passerelle.Document{}
		}
		for _, s := range p.Steps {
			if n := s.Number; n != nil { // its compiled pattern is not encoded
				rule, err := passerelle.NewNumberRule(n.Min, n.Max, n.Pattern, n.Store)
				if err == nil {
					rule.Personal, rule.Check = n.Personal, n.Check
					s.Number = rule
				}
			}
		}
		p.Index()
	}
	return res
}

// eachPictogram calls f on every drawing of the catalog.
func (res *Result) eachPictogram(f func(*passerelle.Media)) {
	for _, p := range res.Procedures {
		f(&p.Pictogram)
		for _, d := range p.Documents {
			f(&d.Pictogram)
		}
		for _, s := range p.Steps {
			f(&s.Pictogram)
			f(&s.Screen)
			for _, o := range s.Options {
				f(&o.Pictogram)
			}
		}
	}
	for _, pl := range res.Places {
		f(&pl.Pictogram)
	}
}
