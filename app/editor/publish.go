package editor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

// Publishing refuses, with these wrapped in a sentence for staff:
var (
	ErrNothingToPublish = errors.New("nothing to publish")
	ErrStale            = errors.New("the draft is stale")
)

// Publish validates the whole catalog with the draft of procedure id in
// place of the catalog's version and, when it is sound, writes the draft
// into the catalog as the next version, records who and when, and
// removes the draft. The validator's problems come back as *Refused, and
// then nothing changed in the catalog.
func (e *Editor) Publish(ctx context.Context, id, by string) (Record, error) {
	unlock, err := e.lockToChange(id)
	if err != nil {
		return Record{}, err
	}
	defer unlock()
	if _, err := e.meta(id); errors.Is(err, fs.ErrNotExist) {
		return Record{}, fmt.Errorf("%w: there is no draft of %s to publish: change something and save first", ErrNothingToPublish, id)
	}
	d, err := e.draft(ctx, id)
	if err != nil {
		return Record{}, err
	}
	if d.Stale {
		return Record{}, fmt.Errorf("%w: the catalog's file of %s changed after this draft was started (edited by hand, or published by someone else): look at it, then keep your draft over it or discard your draft", ErrStale, id)
	}
	r, err := e.publish(ctx, id, d.Doc, d.Dir, by, "publish")
	if err != nil {
		return r, err
	}
	return r, e.discard(id)
}

// Rollback publishes the content of an earlier version again, as a new
// version (kiosks take only a higher version): one action undoes a bad
// publish. A draft in progress is kept, and is then stale.
func (e *Editor) Rollback(ctx context.Context, id, key, by string) (Record, error) {
	unlock, err := e.lockToChange(id)
	if err != nil {
		return Record{}, err
	}
	defer unlock()
	records, err := e.Versions(id)
	if err != nil {
		return Record{}, err
	}
	i := slices.IndexFunc(records, func(r Record) bool { return r.Key == key })
	if i < 0 {
		return Record{}, fmt.Errorf("version %q of %s: %w", key, id, ErrNotFound)
	}
	dir := filepath.Join(e.versionsDir(id), key)
	d, err := readDoc(filepath.Join(dir, procedure.FileName))
	if err != nil {
		return Record{}, err
	}
	what := fmt.Sprintf("rollback to version %d", records[i].Version)
	if records[i].Key != strconv.Itoa(records[i].Version) {
		what += " as edited by hand"
	}
	return e.publish(ctx, id, d, dir, by, what)
}

// Clean removes what a publish interrupted (the hub stopped, the disk
// full) left: hidden, the publisher and the loader pass it over, but it
// takes room. Called when the hub starts.
func (e *Editor) Clean() {
	for _, pattern := range []string{filepath.Join(e.Catalog, ".editor-*"), filepath.Join(e.Dir, ".publish-*")} {
		left, _ := filepath.Glob(pattern)
		for _, dir := range left {
			os.RemoveAll(dir)
		}
	}
}

// publish writes doc, with the media of folder media, as the next version.
func (e *Editor) publish(ctx context.Context, id string, doc *Doc, media, by, action string) (Record, error) {
	folder, err := e.catalogFolder(ctx, id)
	if err != nil {
		return Record{}, err
	}
	current := 0
	if cur, err := readDoc(filepath.Join(folder, procedure.FileName)); err == nil {
		current = cur.Version
	}
	records, err := e.Versions(id)
	if err != nil {
		return Record{}, err
	}
	next := current + 1
	for _, r := range records {
		next = max(next, r.Version+1)
	}
	doc, err = doc.clone()
	if err != nil {
		return Record{}, err
	}
	doc.ID, doc.Version = id, next
	src, err := doc.Marshal()
	if err != nil {
		return Record{}, err
	}

	work, err := os.MkdirTemp(e.Dir, ".publish-")
	if err != nil {
		return Record{}, fmt.Errorf("publish %s: %w", id, err)
	}
	defer os.RemoveAll(work)
	stage := filepath.Join(work, "stage")
	if err := copyTree(media, stage); err != nil {
		return Record{}, fmt.Errorf("publish %s: copy its media: %w", id, err)
	}
	if err := os.WriteFile(filepath.Join(stage, procedure.FileName), src, 0o644); err != nil {
		return Record{}, fmt.Errorf("publish %s: %w", id, err)
	}
	if err := e.check(ctx, work, stage, folder); err != nil {
		return Record{}, err
	}
	if hash := folderHash(folder); current > 0 && !recorded(records, hash) {
		// A version written by hand (before the editor, or over what it
		// published): kept, so that it can be rolled back to.
		found := Record{Key: strconv.Itoa(current), Version: current, By: "a file edited by hand",
			Action: "found in the catalog", At: e.now().UTC()}
		if slices.ContainsFunc(records, func(r Record) bool { return r.Key == found.Key }) {
			found.Key += "-by-hand-" + hash[:8]
		}
		if err := e.keep(id, folder, found); err != nil {
			return Record{}, err
		}
	}
	if err := e.swapIn(stage, folder); err != nil {
		return Record{}, fmt.Errorf("publish %s: %w", id, err)
	}
	rec := Record{Key: strconv.Itoa(next), Version: next, By: by, At: e.now().UTC(), Action: action}
	if err := e.keep(id, folder, rec); err != nil {
		return rec, err
	}
	return rec, nil
}

// recorded says whether a version with this content is kept already.
func recorded(rs []Record, hash string) bool {
	return slices.ContainsFunc(rs, func(r Record) bool { return r.Hash == hash })
}

// check runs the validator over a copy of the catalog in work, with stage
// in place of folder; the problems name files relative to the catalog.
func (e *Editor) check(ctx context.Context, work, stage, folder string) error {
	cat, err := e.assemble(work, stage, folder)
	if err != nil {
		return err
	}
	res, err := new(procedure.Loader).Load(ctx, cat)
	if err != nil {
		return err
	}
	if len(res.Problems) == 0 {
		return nil
	}
	return &Refused{Problems: relativeTo(cat, res.Problems)}
}

func relativeTo(dir string, ps []passerelle.Problem) []passerelle.Problem {
	for i, p := range ps {
		if rel, err := filepath.Rel(dir, p.File); err == nil && !strings.HasPrefix(rel, "..") {
			ps[i].File = rel
		}
	}
	return ps
}

// assemble makes, in work, a copy of the catalog (by links) with stage in
// place of folder, and returns its path.
func (e *Editor) assemble(work, stage, folder string) (string, error) {
	cat := filepath.Join(work, "catalog")
	entries, err := os.ReadDir(e.Catalog)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read the catalog %s: %w", e.Catalog, err)
	}
	if err := os.MkdirAll(cat, 0o755); err != nil {
		return "", err
	}
	for _, en := range entries {
		path := filepath.Join(e.Catalog, en.Name())
		if strings.HasPrefix(en.Name(), ".") || path == folder {
			continue
		}
		info, err := os.Stat(path)
		if err != nil {
			continue // a link leading nowhere: the publisher leaves it out too
		}
		if !info.IsDir() {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("copy the catalog: %w", err)
			}
			if err := os.WriteFile(filepath.Join(cat, en.Name()), b, 0o644); err != nil {
				return "", err
			}
			continue
		}
		if err := linkTree(path, filepath.Join(cat, en.Name())); err != nil {
			return "", fmt.Errorf("copy the catalog: %w", err)
		}
	}
	if err := linkTree(stage, filepath.Join(cat, filepath.Base(folder))); err != nil {
		return "", err
	}
	return cat, nil
}

// LoadDraft loads the draft of procedure id (or the catalog's version
// when there is no draft) as the kiosk would, within the catalog: the
// procedure with its pictograms decoded, the catalog's help places, and
// the problems of the procedure's files (the procedure is nil when it has
// some). The staff page draws previews from it.
func (e *Editor) LoadDraft(ctx context.Context, id string) (*passerelle.Procedure, []*passerelle.Place, []passerelle.Problem, error) {
	return e.LoadTyped(ctx, id, nil)
}

// LoadTyped is LoadDraft with the draft's procedure.yaml replaced by doc,
// when not nil: what a page has typed, loaded as the kiosk would load it,
// without saving anything (the draft's media stay as they are).
func (e *Editor) LoadTyped(ctx context.Context, id string, doc *Doc) (*passerelle.Procedure, []*passerelle.Place, []passerelle.Problem, error) {
	d, err := e.Draft(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	folder, err := e.catalogFolder(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	work, err := os.MkdirTemp("", "passerelle-draft-")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load the draft of %s: %w", id, err)
	}
	defer os.RemoveAll(work)
	cat, err := e.assemble(work, d.Dir, folder)
	if err != nil {
		return nil, nil, nil, err
	}
	if doc != nil {
		b, err := doc.Marshal()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("load %s as typed: %w", id, err)
		}
		// The assembled file is a hard link to the draft's: removed first,
		// so that the draft keeps its own.
		file := filepath.Join(cat, filepath.Base(folder), procedure.FileName)
		if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, nil, fmt.Errorf("load %s as typed: %w", id, err)
		}
		if err := os.WriteFile(file, b, 0o644); err != nil {
			return nil, nil, nil, fmt.Errorf("load %s as typed: %w", id, err)
		}
	}
	res, err := new(procedure.Loader).Load(ctx, cat)
	if err != nil {
		return nil, nil, nil, err
	}
	var problems []passerelle.Problem
	mine := filepath.Join(cat, filepath.Base(folder)) + string(filepath.Separator)
	for _, p := range res.Problems {
		if strings.HasPrefix(p.File+string(filepath.Separator), mine) {
			problems = append(problems, p)
		}
	}
	for _, p := range res.Procedures {
		if p.ID == id {
			return p, res.Places, nil, nil
		}
	}
	return nil, res.Places, relativeTo(cat, problems), nil
}

// swapIn writes stage into the catalog as folder: copied beside it under
// a hidden name (the publisher and the loader pass hidden names over),
// then exchanged with the old folder in one rename.
func (e *Editor) swapIn(stage, folder string) error {
	tmp, err := os.MkdirTemp(e.Catalog, ".editor-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // the old folder, once swapped out
	if err := copyTree(stage, tmp); err != nil {
		return err
	}
	if _, err := os.Lstat(folder); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, folder)
	}
	return exchange(tmp, folder)
}

// keep copies a published folder into the versions and writes its record.
func (e *Editor) keep(id, folder string, r Record) error {
	dir := filepath.Join(e.versionsDir(id), r.Key)
	os.RemoveAll(dir)
	if err := copyTree(folder, dir); err != nil {
		return fmt.Errorf("keep version %s of %s: %w", r.Key, id, err)
	}
	r.Hash = folderHash(dir)
	b, _ := json.MarshalIndent(r, "", "  ")
	return writeAtomic(filepath.Join(e.versionsDir(id), r.Key+".json"), b)
}
