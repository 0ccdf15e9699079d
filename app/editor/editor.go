package editor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

// Editor keeps the drafts and published versions of the procedures of the
// catalog folder Catalog, in its work folder Dir. One hub process uses a
// work folder; its methods are safe for concurrent use.
type Editor struct {
	Catalog string
	Dir     string
	Now     func() time.Time // nil means time.Now

	mu     sync.Mutex
	loader procedure.Loader
}

// ErrNotFound: no such procedure in the catalog, draft or version.
var ErrNotFound = errors.New("not found")

// ErrTooManySteps refuses a save past the validator's limit of steps.
var ErrTooManySteps = fmt.Errorf("a procedure has at most %d steps: split it in two procedures", procedure.MaxSteps)

// ErrUnreadable: a procedure file YAML cannot read (a hand edit broke it):
// it is mended by hand, where the message points.
var ErrUnreadable = errors.New("cannot be read")

// Conflict refuses a save made over a draft that changed since the page
// was opened: nothing was written.
type Conflict struct {
	By      string
	At      time.Time
	Changes []string // what they changed, in plain words
	Current int      // the draft's revision now: a save over it must name it
}

func (c *Conflict) Error() string {
	return fmt.Sprintf("%s saved this draft at %s, after you opened it; they changed: %s",
		c.By, c.At.Format("15:04"), strings.Join(c.Changes, "; "))
}

// Refused is a publish the validator refused: the catalog did not change.
type Refused struct {
	Problems []passerelle.Problem // files named relative to the catalog
}

func (r *Refused) Error() string {
	return fmt.Sprintf("the catalog with this draft has %d problem(s): nothing was published", len(r.Problems))
}

// Meta is what a draft records beside its folder.
type Meta struct {
	Revision int       `json:"revision"` // 1 at the first save, raised by each save
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	// BaseHash is the hash of the catalog's procedure.yaml the draft
	// started from ("" for a new procedure): when the catalog's file
	// changes (a hand edit, a publish), the draft is stale.
	BaseHash    string `json:"base_hash"`
	BaseVersion int    `json:"base_version"`
}

// Record says who made a published version, when and how.
type Record struct {
	// Key names the version among those kept: its number, or for a
	// version found edited by hand in the catalog, its number and a
	// part of its content's hash (a hand edit may keep the number).
	Key     string    `json:"key"`
	Hash    string    `json:"hash"` // of the folder's content (folderHash)
	Version int       `json:"version"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	// Action: "publish", "rollback to version N", or "found in the
	// catalog" for a version written by hand (before the editor's first
	// publish, or between two), kept at the next publish so that it can
	// be rolled back to.
	Action string `json:"action"`
}

// Draft is a procedure being edited.
type Draft struct {
	Doc  *Doc
	Meta Meta // Revision 0: nothing saved yet, the catalog's version shown
	// Stale says the catalog's file changed after the draft started: a
	// hand edit or a publish by someone else. Publishing would replace it.
	Stale bool
	Dir   string // the draft's folder, where its media go
}

func (e *Editor) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// idPattern is the validator's.
var idPattern = regexp.MustCompile(`^[a-z0-9]+(?:[-_][a-z0-9]+)*$`)

// CheckID says, in plain words, what is wrong with a procedure id.
func CheckID(id string) error {
	if !idPattern.MatchString(id) || len(id) > 64 {
		return fmt.Errorf("the id %q may use only lowercase letters without accents, digits and dashes, 64 at most, like caf-declaration", id)
	}
	return nil
}

func (e *Editor) draftDir(id string) string    { return filepath.Join(e.Dir, "drafts", id) }
func (e *Editor) metaFile(id string) string    { return filepath.Join(e.Dir, "drafts", id+".json") }
func (e *Editor) revsDir(id string) string     { return filepath.Join(e.Dir, "drafts", id+".revs") }
func (e *Editor) versionsDir(id string) string { return filepath.Join(e.Dir, "versions", id) }

// Load loads the catalog as the validator does, with the editor's loader
// (its decoded media are kept between loads).
func (e *Editor) Load(ctx context.Context) (procedure.Result, error) {
	return e.loader.Load(ctx, e.Catalog)
}

// catalogFolder finds the folder of procedure id in the catalog: the one
// it was loaded from, else the folder named by the id (a broken or new
// procedure).
func (e *Editor) catalogFolder(ctx context.Context, id string) (string, error) {
	// Most folders are named by their procedure's id: one file read.
	named := filepath.Join(e.Catalog, id)
	if d, err := readDoc(filepath.Join(named, procedure.FileName)); err == nil && d.ID == id {
		return named, nil
	}
	res, err := e.Load(ctx)
	if err != nil {
		return "", err
	}
	for _, p := range res.Procedures {
		if p.ID == id {
			return p.Dir, nil
		}
	}
	return filepath.Join(e.Catalog, id), nil
}

// folderHash is the hash of a folder's files, names and contents: a
// recording replaced by hand changes it as a text does.
func folderHash(dir string) string {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, en fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if en.IsDir() || strings.HasPrefix(en.Name(), ".") {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

func fileHash(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Draft returns the draft of procedure id, or the catalog's version when
// nobody saved a draft yet (Meta.Revision 0). ErrNotFound when neither
// exists.
func (e *Editor) Draft(ctx context.Context, id string) (*Draft, error) {
	if err := CheckID(id); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	unlock, err := e.lock(false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return e.draft(ctx, id)
}

func (e *Editor) draft(ctx context.Context, id string) (*Draft, error) {
	folder, err := e.catalogFolder(ctx, id)
	if err != nil {
		return nil, err
	}
	catalogHash := fileHash(filepath.Join(folder, procedure.FileName))
	m, err := e.meta(id)
	if errors.Is(err, fs.ErrNotExist) {
		if catalogHash == "" {
			return nil, fmt.Errorf("procedure %s: %w", id, ErrNotFound)
		}
		d, err := readDoc(filepath.Join(folder, procedure.FileName))
		if err != nil {
			return nil, err
		}
		return &Draft{Doc: d, Meta: Meta{BaseHash: catalogHash, BaseVersion: d.Version}, Dir: folder}, nil
	} else if err != nil {
		return nil, err
	}
	d, err := readDoc(filepath.Join(e.draftDir(id), procedure.FileName))
	if err != nil {
		return nil, err
	}
	return &Draft{Doc: d, Meta: m, Stale: catalogHash != m.BaseHash, Dir: e.draftDir(id)}, nil
}

func readDoc(path string) (*Doc, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	d, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrUnreadable, path, err)
	}
	return d, nil
}

func (e *Editor) meta(id string) (Meta, error) {
	var m Meta
	b, err := os.ReadFile(e.metaFile(id))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("read the draft record %s: %w", e.metaFile(id), err)
	}
	return m, nil
}

// Create starts a new procedure's draft: its id, languages and title, a
// first info step and an end.
func (e *Editor) Create(ctx context.Context, id string, title Text, by string) error {
	if err := CheckID(id); err != nil {
		return err
	}
	if len(title) == 0 {
		return errors.New("choose at least one language, and write the title in each")
	}
	for l, t := range title {
		if strings.TrimSpace(t) == "" {
			return fmt.Errorf("write the title in %s, or leave that language out", l)
		}
	}
	unlock, err := e.lock(true)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := e.draft(ctx, id); err == nil || errors.Is(err, ErrUnreadable) {
		return fmt.Errorf("a procedure %s already exists: open it, or choose another id", id)
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	blank := Text{}
	for l := range title {
		blank[l] = ""
	}
	d := &Doc{ID: id, Version: 1, Title: title, Intro: blank, Steps: []*Step{
		{ID: "welcome", Kind: "info", Say: copyText(blank), Next: "done"},
		{ID: "done", Kind: "end", Say: copyText(blank)},
	}}
	if err := os.MkdirAll(e.draftDir(id), 0o755); err != nil {
		return fmt.Errorf("create the draft of %s: %w", id, err)
	}
	_, err = e.save(id, d, Meta{}, by)
	return err
}

func copyText(t Text) Text {
	out := make(Text, len(t))
	for l, s := range t {
		out[l] = s
	}
	return out
}

// Save writes a new revision of the draft of procedure id. base is the
// revision the page was opened on; when the draft was saved since by
// someone else, the save is refused with a *Conflict saying what they
// changed. The first save copies the catalog's folder (its media) into
// the draft.
func (e *Editor) Save(ctx context.Context, id string, base int, d *Doc, by string) (Meta, error) {
	return e.change(ctx, id, base, by, func(*Draft) (*Doc, error) { return d, nil })
}

// PutMedia writes a media file into the draft of procedure id (an
// uploaded pictogram, a recording) and names it in the draft with set
// (Step.SetRecording, Doc.SetIntroRecording, a pictogram field), as one
// new revision of the draft as it is now (see Update): the file replaces
// the one of the same name, as a recording made again does. rel is the
// file's path in the procedure's folder, like audio/fr/welcome.wav. The
// bytes are checked by who calls (the kiosk's own decoders), and by the
// validator again at publish.
func (e *Editor) PutMedia(ctx context.Context, id, rel string, data []byte, set func(*Doc) error, by string) (Meta, error) {
	clean := filepath.Clean(filepath.FromSlash(rel))
	if rel == "" || filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) ||
		clean == procedure.FileName || strings.Contains(string(filepath.Separator)+clean, string(filepath.Separator)+".") {
		return Meta{}, fmt.Errorf("the file name %q must be a path inside the procedure's folder, like audio/fr/welcome.wav", rel)
	}
	if _, err := e.StartDraft(ctx, id, by); err != nil {
		return Meta{}, err
	}
	return e.changeCurrent(ctx, id, by, func(cur *Draft) (*Doc, error) {
		path := filepath.Join(e.draftDir(id), clean)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("save %s in the draft of %s: %w", rel, id, err)
		}
		if err := writeAtomic(path, data); err != nil {
			return nil, err
		}
		if err := set(cur.Doc); err != nil {
			return nil, err
		}
		return cur.Doc, nil
	})
}

// Update changes the draft of procedure id as it is now, whatever
// revision the page shows: for a recording made in the browser, which
// touches one text's recording only. A save from a page opened before it
// is not refused for it (see change). The draft is started when needed.
func (e *Editor) Update(ctx context.Context, id, by string, set func(*Doc) error) (Meta, error) {
	return e.changeCurrent(ctx, id, by, func(cur *Draft) (*Doc, error) {
		if err := set(cur.Doc); err != nil {
			return nil, err
		}
		return cur.Doc, nil
	})
}

// StartDraft returns the folder of the draft of procedure id, starting the
// draft (a copy of the catalog's folder) when nobody saved one yet: media
// made in the browser are stored there, never in the catalog.
func (e *Editor) StartDraft(ctx context.Context, id, by string) (string, error) {
	d, err := e.Draft(ctx, id)
	if err != nil {
		return "", err
	}
	if d.Meta.Revision > 0 {
		return d.Dir, nil
	}
	if _, err := e.changeCurrent(ctx, id, by, func(cur *Draft) (*Doc, error) { return cur.Doc, nil }); err != nil {
		return "", err
	}
	return e.draftDir(id), nil
}

// changeCurrent is change on the revision the draft is at.
func (e *Editor) changeCurrent(ctx context.Context, id, by string, next func(*Draft) (*Doc, error)) (Meta, error) {
	for {
		d, err := e.Draft(ctx, id)
		if err != nil {
			return Meta{}, err
		}
		m, err := e.change(ctx, id, d.Meta.Revision, by, next)
		var c *Conflict
		if errors.As(err, &c) {
			continue // saved between the read and the change: on the new one
		}
		return m, err
	}
}

// mediaOnly says whether cur differs from old by media made in the
// browser alone (recordings, pictograms): a page opened on old may then
// be saved over cur, keeping them.
func mediaOnly(old, cur *Doc) bool {
	patched, err := old.clone()
	if err != nil {
		return false
	}
	keepMedia(patched, old, cur)
	changes := Changes(patched, cur)
	return len(changes) == 1 && changes[0] == noChange
}

// keepMedia gives d the recordings and pictograms changed from old to
// cur, unless d changed them itself.
func keepMedia(d, old, cur *Doc) {
	pick := func(mine *string, was, now string) {
		if *mine == was && now != was {
			*mine = now
		}
	}
	if !bytes.Equal(old.IntroAudio, cur.IntroAudio) {
		d.IntroAudio = cur.IntroAudio
	}
	pick(&d.Pictogram, old.Pictogram, cur.Pictogram)
	for _, s := range d.Steps {
		o, c := old.Step(s.ID), cur.Step(s.ID)
		if c == nil || o == nil {
			continue
		}
		if !bytes.Equal(o.Audio, c.Audio) {
			s.Audio = c.Audio
		}
		pick(&s.Pictogram, o.Pictogram, c.Pictogram)
		for _, opt := range s.Options {
			oo, co := option(o, opt.ID), option(c, opt.ID)
			if oo != nil && co != nil {
				pick(&opt.Pictogram, oo.Pictogram, co.Pictogram)
			}
		}
	}
}

func option(s *Step, id string) *Option {
	for _, o := range s.Options {
		if o.ID == id {
			return o
		}
	}
	return nil
}

// change makes a new revision of the draft of procedure id with what
// next returns, given the draft as it is.
func (e *Editor) change(ctx context.Context, id string, base int, by string, next func(*Draft) (*Doc, error)) (Meta, error) {
	unlock, err := e.lockToChange(id)
	if err != nil {
		return Meta{}, err
	}
	defer unlock()
	cur, err := e.draft(ctx, id)
	if err != nil {
		return Meta{}, err
	}
	var since *Doc // the draft the page opened, when only media changed since
	if cur.Meta.Revision != base {
		old, err := e.Revision(id, base)
		if err != nil || !mediaOnly(old, cur.Doc) {
			c := &Conflict{By: cur.Meta.By, At: cur.Meta.At, Current: cur.Meta.Revision}
			if err == nil {
				c.Changes = Changes(old, cur.Doc)
			} else {
				c.Changes = []string{"the whole draft (it was started again)"}
			}
			return Meta{}, c
		}
		since = old
	}
	if base == 0 {
		if err := copyTree(cur.Dir, e.draftDir(id)); err != nil {
			return Meta{}, fmt.Errorf("start the draft of %s: %w", id, err)
		}
		// Revision 0 is the catalog's version the draft started from: a
		// save refused later says what changed since.
		if err := e.writeRevision(id, 0, cur.Doc); err != nil {
			return Meta{}, err
		}
	}
	d, err := next(cur)
	if err != nil {
		return Meta{}, err
	}
	if since != nil {
		keepMedia(d, since, cur.Doc)
	}
	if len(d.Steps) > procedure.MaxSteps {
		return Meta{}, ErrTooManySteps
	}
	d.ID = id
	return e.save(id, d, cur.Meta, by)
}

// save writes the draft's file, its revision and its record.
func (e *Editor) save(id string, d *Doc, m Meta, by string) (Meta, error) {
	b, err := d.Marshal()
	if err != nil {
		return Meta{}, err
	}
	m.Revision++
	m.By, m.At = by, e.now().UTC()
	if err := e.writeRevision(id, m.Revision, d); err != nil {
		return Meta{}, err
	}
	if err := writeAtomic(filepath.Join(e.draftDir(id), procedure.FileName), b); err != nil {
		return Meta{}, err
	}
	mb, _ := json.MarshalIndent(m, "", "  ")
	// The record last: a draft whose record is not written yet is
	// still at the revision before.
	if err := writeAtomic(e.metaFile(id), mb); err != nil {
		return Meta{}, err
	}
	return m, nil
}

func (e *Editor) writeRevision(id string, rev int, d *Doc) error {
	b, err := d.Marshal()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(e.revsDir(id), 0o755); err != nil {
		return fmt.Errorf("save the draft of %s: %w", id, err)
	}
	return writeAtomic(filepath.Join(e.revsDir(id), strconv.Itoa(rev)+".yaml"), b)
}

// Revision returns a revision of the draft as it was saved (0: the catalog's
// version the draft started from).
func (e *Editor) Revision(id string, rev int) (*Doc, error) {
	if err := CheckID(id); err != nil {
		return nil, err
	}
	return readDoc(filepath.Join(e.revsDir(id), strconv.Itoa(rev)+".yaml"))
}

// Rebase makes a stale draft start from the catalog's file as it is now:
// staff chose to keep their draft over the hand edit.
func (e *Editor) Rebase(ctx context.Context, id, by string) error {
	unlock, err := e.lockToChange(id)
	if err != nil {
		return err
	}
	defer unlock()
	cur, err := e.draft(ctx, id)
	if err != nil {
		return err
	}
	if cur.Meta.Revision == 0 {
		return nil
	}
	folder, err := e.catalogFolder(ctx, id)
	if err != nil {
		return err
	}
	cur.Meta.BaseHash = fileHash(filepath.Join(folder, procedure.FileName))
	_, err = e.save(id, cur.Doc, cur.Meta, by)
	return err
}

// Discard removes the draft: the catalog's version shows again.
func (e *Editor) Discard(id string) error {
	unlock, err := e.lockToChange(id)
	if err != nil {
		return err
	}
	defer unlock()
	return e.discard(id)
}

func (e *Editor) discard(id string) error {
	// The record first: without it, what is left is no draft.
	if err := os.Remove(e.metaFile(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("discard the draft of %s: %w", id, err)
	}
	os.RemoveAll(e.revsDir(id))
	return os.RemoveAll(e.draftDir(id))
}

// Versions lists the versions kept, newest first: each published through
// the editor, and each found edited by hand in the catalog at a publish.
func (e *Editor) Versions(id string) ([]Record, error) {
	if err := CheckID(id); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(e.versionsDir(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("list the versions of %s: %w", id, err)
	}
	var out []Record
	for _, en := range entries {
		if !strings.HasSuffix(en.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(e.versionsDir(id), en.Name()))
		if err != nil {
			return nil, fmt.Errorf("read a version of %s: %w", id, err)
		}
		var r Record
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("read %s: %w", en.Name(), err)
		}
		out = append(out, r)
	}
	// Newest first; a hand edit found and a publish share the time of
	// the publish: the publish is newer.
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.After(out[j].At)
		}
		return out[i].Version > out[j].Version
	})
	return out, nil
}

// writeAtomic writes a file through a temporary one and a rename: a
// reader sees the old file or the new one, never half of it.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// copyTree copies a folder's regular files and folders (following links,
// as the loader does), leaving hidden names out as bundle.Pack does.
func copyTree(from, to string) error { return walkCopy(from, to, false) }

// linkTree is copyTree by hard links where the disk allows them: the copy
// of the catalog a publish validates is only read, and recordings may
// weigh hundreds of megabytes.
func linkTree(from, to string) error { return walkCopy(from, to, true) }

func walkCopy(from, to string, link bool) error {
	return filepath.WalkDir(from, func(path string, en fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		if rel != "." && strings.HasPrefix(en.Name(), ".") {
			if en.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		dst := filepath.Join(to, rel)
		info, err := os.Stat(path) // through a link
		if err != nil {
			return err
		}
		if info.IsDir() {
			if en.Type()&fs.ModeSymlink != 0 {
				return walkCopy(path, dst, link)
			}
			return os.MkdirAll(dst, 0o755)
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		if link {
			// Linked to the file itself: a hard link to a symbolic link
			// would be the link, which may lead elsewhere from the copy.
			if real, err := filepath.EvalSymlinks(path); err == nil && os.Link(real, dst) == nil {
				return nil
			}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}

// lockToChange checks id and takes the lock to change procedure id.
func (e *Editor) lockToChange(id string) (func(), error) {
	if err := CheckID(id); err != nil {
		return nil, err
	}
	return e.lock(true)
}

// lock serializes the editor's changes: between the goroutines of this
// process, then with any other process on the same work folder. A read
// (write false) does not make the work folder: nothing was saved yet.
func (e *Editor) lock(write bool) (func(), error) {
	e.mu.Lock()
	if _, err := os.Stat(e.Dir); !write && err != nil {
		return e.mu.Unlock, nil
	}
	unlock, err := lockDir(e.Dir)
	if err != nil {
		e.mu.Unlock()
		return nil, err
	}
	return func() { unlock(); e.mu.Unlock() }, nil
}
