// Package procedure reads the catalog of procedures from disk: the YAML
// format, its validation, and the watcher that reloads it when staff edit it.
package procedure

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"passerelle/app/passerelle"
)

const (
	// FileName is the definition file in each procedure's folder.
	FileName = "procedure.yaml"
	// SharedPictograms is the catalog folder of pictograms every procedure may use.
	SharedPictograms = "pictograms"
)

// Result is what loading a catalog folder found.
type Result struct {
	// Procedures are the procedures without any problem.
	Procedures []*passerelle.Procedure
	// Problems lists every mistake found, sorted by file and line.
	Problems []passerelle.Problem
	// Broken holds the folders of procedures that have problems: a watcher
	// keeps their last good version.
	Broken map[string]bool
}

// Loader loads catalog folders. It remembers decoded media between loads,
// so reloading after an edit costs little. A Loader is safe for concurrent use.
type Loader struct {
	media mediaCache

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
	entries, err := os.ReadDir(dir)
	if err != nil {
		res.Problems = append(res.Problems, passerelle.Problem{File: dir, Message: "the catalog folder cannot be read: " + plainError(err)})
		return res, nil
	}
	shared := filepath.Join(dir, SharedPictograms)
	var folders []string
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || name == SharedPictograms || strings.HasPrefix(name, ".") {
			continue
		}
		folders = append(folders, filepath.Join(dir, name))
	}
	if len(folders) == 0 {
		res.Problems = append(res.Problems, passerelle.Problem{File: dir, Message: "the catalog folder has no procedure in it: each procedure is a folder holding a " + FileName})
		return res, nil
	}

	// Read the files on every core: parsing and decoding media dominate.
	out := make([]loaded, len(folders))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(folders)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				out[i] = l.loadOne(folders[i], shared)
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
	sortProblems(res.Problems)
	return res, nil
}

// loaded is what reading one procedure folder gave.
type loaded struct {
	proc     *passerelle.Procedure
	idAt     pos
	problems []passerelle.Problem
	looked   []stamp // the definition file first, then every media file looked at
}

// unchanged reports whether every file the read looked at is as it was.
func (o loaded) unchanged() bool {
	for _, s := range o.looked {
		info, err := os.Stat(s.path)
		if stampOf(s.path, info, err) != s {
			return false
		}
	}
	return len(o.looked) > 0
}

// loadOne reads one procedure folder, or reuses the last read of it when
// none of its files changed: a reload after one edit reads one file.
func (l *Loader) loadOne(folder, shared string) loaded {
	l.mu.Lock()
	last, ok := l.procs[folder]
	l.mu.Unlock()
	if ok && last.unchanged() {
		return last
	}
	file := filepath.Join(folder, FileName)
	info, statErr := os.Stat(file)
	src, err := os.ReadFile(file)
	if err != nil {
		msg := "the file cannot be read: " + plainError(err)
		if os.IsNotExist(err) {
			msg = fmt.Sprintf("this folder has no %s: add one, or move the folder out of the catalog", FileName)
			file = folder
		}
		return loaded{problems: []passerelle.Problem{{File: file, Message: msg}}}
	}
	r := &procReader{reader: reader{file: file}, dir: folder, shared: shared, media: &l.media}
	r.looked = []stamp{stampOf(file, info, statErr)}
	p := r.read(src)
	sortProblems(r.problems)
	return loaded{proc: p, idAt: r.idAt, problems: r.problems, looked: r.looked}
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
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
