// Package procedure reads the catalog of procedures from disk: the YAML
// format, its validation, and the watcher that reloads it when staff edit it.
package procedure

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"passerelle/app/passerelle"
)

const (
	// FileName is the definition file in each procedure's folder.
	FileName = "procedure.yaml"
	// SharedPictograms is the catalog folder of pictograms every procedure may use.
	SharedPictograms = "pictograms"
	// maxFolders bounds the procedures of a catalog: more is a wrong folder
	// (a home folder copied in), not a catalog.
	maxFolders = 2000
)

// Result is what loading a catalog folder found.
type Result struct {
	// Procedures are the procedures without any problem.
	Procedures []*passerelle.Procedure
	// Problems lists every mistake found, sorted by file and line.
	Problems []passerelle.Problem
	// Warnings lists what staff should look at in the procedures read
	// (no sources, a source checked long ago, a pictogram with two
	// meanings), sorted by file and line. A warning does not make a
	// procedure broken.
	Warnings []passerelle.Problem
	// Hints lists the FALC hints of the spoken texts of the procedures
	// read (a sentence too long, negative, an abbreviation never
	// explained: TextHints), sorted by file and line. Neither problems nor
	// warnings: validate -hints and the hub's editor show them.
	Hints []passerelle.Problem
	// Broken holds the folders of procedures that have problems: a watcher
	// keeps their last good version.
	Broken map[string]bool
	// Places are the help places of the catalog's places file, in file
	// order; nil when there is no such file or it has problems.
	Places []*passerelle.Place
	// PlacesBroken says the places file has problems: a watcher keeps the
	// last good places.
	PlacesBroken bool
	// Unusable says why the catalog folder itself gave nothing (missing,
	// not a folder, unreadable, no procedure in it); empty otherwise. A
	// watcher then keeps the whole last good catalog.
	Unusable string
}

// Loader loads catalog folders. It remembers decoded media between loads,
// so reloading after an edit costs little. A Loader is safe for concurrent use.
type Loader struct {
	// SourcesMaxAge is how old a source's check may be before a warning;
	// zero means DefaultSourcesMaxAge.
	SourcesMaxAge time.Duration
	// Now gives the time; nil means time.Now. Tests set it.
	Now func() time.Time

	// Snapshot, when set, is a file where the loader keeps the catalog it
	// loaded, and from which it takes it when nothing the load looked at
	// has changed (see snapshot.go): a kiosk restarting on a catalog of 500
	// procedures then skips 1.3 s of CPU. validate and the editor leave it
	// empty: they must read every file.
	Snapshot string
	// Logger receives why a snapshot could not be kept; nil means
	// slog.Default(). It is never a problem of the catalog.
	Logger *slog.Logger

	// noHints leaves out the FALC hints: the kiosk's watcher shows none,
	// and they were a tenth of its load.
	noHints bool

	media        mediaCache
	snapshotHits atomic.Int64   // loads served by the snapshot, for tests
	writing      sync.WaitGroup // the snapshots being kept
	writeMu      sync.Mutex     // one kept at a time: each holds a catalog in memory

	mu    sync.Mutex
	procs map[string]loaded // the last read of each folder, reused while its files are unchanged
}

// Load reads every procedure folder under dir. Problems in the files are
// reported in the result; the error is only for a cancelled context.
func Load(ctx context.Context, dir string) (Result, error) {
	return new(Loader).Load(ctx, dir)
}

// Load reads every procedure folder under dir.
func (l *Loader) Load(ctx context.Context, dir string) (Result, error) {
	res := Result{Broken: map[string]bool{}}
	unusable := func(msg string) (Result, error) {
		res.Unusable = msg
		res.Problems = append(res.Problems, passerelle.Problem{File: dir, Message: msg})
		return res, nil
	}
	today := l.today()
	var key snapshotKey
	if l.Snapshot != "" {
		// A loader that read the catalog before reuses what it read: a
		// reload after an edit costs less (15 ms for 500 procedures) than
		// checking the snapshot would.
		l.mu.Lock()
		readBefore := l.procs != nil
		l.mu.Unlock()
		var err error
		if key, err = l.keyFor(dir); err != nil {
			l.logger().Warn("catalog: no snapshot: the program cannot be looked at", "err", err)
		} else if !readBefore {
			if kept, ok := readSnapshot(l.Snapshot, key, today); ok {
				l.snapshotHits.Add(1)
				return kept, nil
			}
		}
	}
	root, _, _ := (*disk)(nil).stat(dir) // before the listing: a name added after it changes the stamp
	seen := []touch{{Op: touchStat, Stamp: root}}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return unusable(fmt.Sprintf("the catalog folder %s cannot be read: it is missing", dir))
	case err != nil && !isDir(dir):
		return unusable(fmt.Sprintf("the catalog %s is not a folder", dir))
	case err != nil:
		return unusable(fmt.Sprintf("the catalog folder %s cannot be read: %s", dir, plainError(err)))
	}
	shared := filepath.Join(dir, SharedPictograms)
	var folders []string
	for _, e := range entries {
		name := e.Name()
		if name == SharedPictograms || systemFolder(name) {
			continue
		}
		folder := filepath.Join(dir, name)
		if e.Type()&fs.ModeSymlink != 0 {
			// A procedure folder may be a link to a folder elsewhere.
			s, target, err := (*disk)(nil).stat(folder)
			seen = append(seen, touch{Op: touchStat, Stamp: s})
			if err != nil {
				res.Problems = append(res.Problems, passerelle.Problem{File: folder,
					Message: "this link leads nowhere (" + plainError(err) + "): mend the link or remove it"})
				res.Broken[folder] = true
				continue
			}
			if !target.IsDir() {
				continue
			}
		} else if !e.IsDir() {
			continue
		}
		folders = append(folders, folder)
	}
	if len(folders) > maxFolders {
		return unusable(fmt.Sprintf("the catalog folder %s holds %d folders; at most %d procedures are read: is it the right folder?", dir, len(folders), maxFolders))
	}
	if len(folders) == 0 {
		return unusable(fmt.Sprintf("the catalog folder %s has no procedure in it: each procedure is a folder holding a %s", dir, FileName))
	}

	disk := new(disk)
	// Read the files on every core: parsing and decoding media dominate.
	out := make([]loaded, len(folders))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(folders)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				out[i] = l.loadOne(folders[i], shared, today, disk)
			}
		}()
	}
	for i := range folders {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("load %s: %w", dir, err)
	}

	l.mu.Lock()
	l.procs = make(map[string]loaded, len(out))
	for i, o := range out {
		if o.looked != nil {
			l.procs[folders[i]] = o
		}
	}
	l.mu.Unlock()

	firstFile := map[string]string{}
	for i, o := range out {
		folder := folders[i]
		res.Warnings = append(res.Warnings, o.warnings...)
		res.Hints = append(res.Hints, o.hints...)
		if len(o.problems) > 0 {
			res.Problems = append(res.Problems, o.problems...)
			res.Broken[folder] = true
			continue
		}
		p := o.proc
		if first, dup := firstFile[p.ID]; dup {
			res.Problems = append(res.Problems, passerelle.Problem{
				File: p.File, Line: o.idAt.line, Col: o.idAt.col,
				Message: fmt.Sprintf("the id %q is already used by %s: each procedure needs its own id", p.ID, first),
			})
			res.Broken[folder] = true
			continue
		}
		firstFile[p.ID] = p.File
		res.Procedures = append(res.Procedures, p)
	}
	res.Warnings = append(res.Warnings, sharedPictogramMeanings(shared, out)...)
	seen = append(seen, l.addPlaces(&res, dir, shared, out, disk)...)
	for _, ps := range [][]passerelle.Problem{res.Problems, res.Warnings, res.Hints} {
		for i := range ps { // a folder's name may hold anything
			ps[i].File = printable(ps[i].File)
		}
		sortProblems(ps)
	}
	if key.Format != 0 {
		valid := days{From: today}
		for _, o := range out {
			seen = append(seen, o.asked()...)
			valid.endBy(o.valid.Until)
		}
		// Kept after the load returns: writing, reading back and
		// comparing 500 procedures is some 200 ms of CPU the catalog need
		// not wait for. Which of two loads' snapshots lands last does not
		// matter: each is checked against the disk before it is used.
		l.writing.Go(func() {
			l.writeMu.Lock()
			defer l.writeMu.Unlock()
			if err := writeSnapshot(l.Snapshot, key, valid, seen, res); err != nil {
				l.logger().Warn("catalog: the snapshot could not be kept; the next start reads every file again", "err", err)
			}
		})
	}
	return res, nil
}

// Wait waits until the snapshots of the loads that returned are kept. A
// load with a Snapshot returns before; its result must not be changed
// meanwhile (the watcher never changes one).
func (l *Loader) Wait() { l.writing.Wait() }

func (l *Loader) logger() *slog.Logger {
	if l.Logger != nil {
		return l.Logger
	}
	return slog.Default()
}

// nearDefinition finds a file in folder that staff most likely meant as
// the procedure file: PROCEDURE.YAML, procedure.yml, or procedure.yaml.txt
// saved by Notepad with the extension hidden. It returns "" when there is
// none.
func nearDefinition(folder string) string {
	entries, _ := os.ReadDir(folder)
	for _, e := range entries {
		name := strings.ToLower(strings.TrimSpace(e.Name()))
		name = strings.TrimSuffix(name, ".txt")
		if name == FileName || name == "procedure.yml" {
			return e.Name()
		}
	}
	return ""
}

// systemFolder reports whether a folder is one that operating systems, zip
// tools and git make, never a procedure: a hidden one (.git, .Trash), and
// those a USB stick or an archive from a Mac or a Windows PC brings.
func systemFolder(name string) bool {
	switch strings.ToLower(name) {
	case "__macosx", "system volume information", "$recycle.bin", "lost+found":
		return true
	}
	return strings.HasPrefix(name, ".")
}

// loaded is what reading one procedure folder gave.
type loaded struct {
	proc     *passerelle.Procedure
	idAt     pos
	problems []passerelle.Problem
	warnings []passerelle.Problem
	hints    []passerelle.Problem
	labels   []labelled // every pictogram shown with a label, for the catalog's check
	looked   []stamp    // the definition file first, then every media file looked at
	seen     []touch    // besides looked, the folders listed and links followed, for the snapshot
	valid    days       // the days a read of the same files says the same
}

// days are the days a read says the same on: from the day of the read (the
// day sources' dates are checked against) until the first day a source's
// date gives another message, a source grown too old or a message naming
// the day; Until zero: no such day. Only the sources' dates depend on the
// day, and most stay right for months: a kiosk switched on every morning
// need not read again.
type days struct{ From, Until time.Time }

// hold reports whether a read on day says what the read of d said.
func (d days) hold(day time.Time) bool {
	return !day.Before(d.From) && (d.Until.IsZero() || day.Before(d.Until))
}

// endBy makes d end on day at the latest; a zero day changes nothing.
func (d *days) endBy(day time.Time) {
	if !day.IsZero() && (d.Until.IsZero() || day.Before(d.Until)) {
		d.Until = day
	}
}

// asked is every question the read asked the file system.
func (o loaded) asked() []touch {
	all := make([]touch, 0, len(o.looked)+len(o.seen))
	for _, s := range o.looked {
		all = append(all, touch{Op: touchStat, Stamp: s})
	}
	return append(all, o.seen...)
}

// unchanged reports whether every file the read looked at is as it was.
func (o loaded) unchanged(disk *disk) bool {
	for _, s := range o.looked {
		if now, _, _ := disk.stat(s.Path); now != s {
			return false
		}
	}
	return len(o.looked) > 0
}

// loadOne reads one procedure folder, or reuses the last read of it when
// none of its files changed: a reload after one edit reads one file.
func (l *Loader) loadOne(folder, shared string, today time.Time, disk *disk) loaded {
	l.mu.Lock()
	last, ok := l.procs[folder]
	l.mu.Unlock()
	if ok && last.valid.hold(today) && last.unchanged(disk) {
		return last
	}
	file := filepath.Join(folder, FileName)
	fileStamp, info, statErr := disk.stat(file)
	src, err := readDefinition(file, info, statErr)
	if err != nil {
		seen := []touch{{Op: touchStat, Stamp: fileStamp}}
		msg := err.Error()
		if errors.Is(err, fs.ErrNotExist) {
			folderStamp, _, _ := disk.stat(folder) // nearDefinition lists it
			seen = append(seen, touch{Op: touchStat, Stamp: folderStamp})
			msg = fmt.Sprintf("this folder has no %s: add one, or move the folder out of the catalog", FileName)
			if near := nearDefinition(folder); near != "" {
				msg = fmt.Sprintf("this folder has no %s, but has %q: rename it %s (Windows may hide the end of a file's name: show file name extensions)", FileName, near, FileName)
			}
			file = folder
		}
		return loaded{problems: []passerelle.Problem{{File: file, Message: msg}}, seen: seen}
	}
	r := &procReader{reader: reader{file: file}, dir: folder, shared: shared, media: &l.media, disk: disk,
		today: today, valid: days{From: today}, maxAge: cmp.Or(l.SourcesMaxAge, DefaultSourcesMaxAge), noHints: l.noHints}
	r.looked = []stamp{fileStamp}
	p := r.read(src)
	sortProblems(r.problems)
	r.finish()
	// Kept as long as the read is reused: each once, and none without a
	// snapshot to keep (19 000 for 500 procedures, 2.4 MB).
	if r.seen = uniqueTouches(r.seen); l.Snapshot == "" {
		r.seen = nil
	}
	return loaded{proc: p, idAt: r.idAt, problems: r.problems, warnings: r.warnings, hints: r.hints, labels: r.labels, looked: r.looked, seen: r.seen, valid: r.valid}
}

// today is the day of a load, midnight UTC: the dates of sources are days.
func (l *Loader) today() time.Time {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	return now().UTC().Truncate(24 * time.Hour)
}

// readDefinition reads a procedure.yaml that is a plain file of at most
// MaxFileSize bytes. A link to /dev/zero or a named pipe must not freeze or
// fill the kiosk, so the kind and size are checked before reading, and the
// read stops at the limit even if the file grows meanwhile.
func readDefinition(file string, info os.FileInfo, statErr error) ([]byte, error) {
	switch {
	case statErr != nil && errors.Is(statErr, fs.ErrNotExist):
		return nil, statErr
	case statErr != nil:
		return nil, errors.New("the file cannot be read: " + plainError(statErr))
	case !info.Mode().IsRegular():
		return nil, errors.New("this is not a plain file: " + filepath.Base(file) + " must be a text file")
	case info.Size() > MaxFileSize:
		return nil, errors.New(tooBig(info.Size()))
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, errors.New("the file cannot be read: " + plainError(err))
	}
	defer f.Close()
	var src bytes.Buffer
	src.Grow(int(info.Size()) + bytes.MinRead) // one read, where io.ReadAll grows its buffer 5 times for 20 KB
	if _, err := src.ReadFrom(io.LimitReader(f, MaxFileSize+1)); err != nil {
		return nil, errors.New("the file cannot be read: " + plainError(err))
	}
	return src.Bytes(), nil // a file grown past the limit is refused by checkRaw
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

func sortProblems(ps []passerelle.Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// plainError drops the Go operation prefix of file errors ("open x: ").
func plainError(err error) string {
	if errors.Is(err, fs.ErrPermission) {
		return "permission denied: let the kiosk's user read it (a file copied from another system may keep its owner's rights only)"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
