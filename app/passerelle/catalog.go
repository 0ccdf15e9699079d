package passerelle

import (
	"fmt"
	"sort"
)

// Catalog is the set of procedures the kiosk offers. It is immutable: a
// reload replaces the whole catalog, so readers never see half a change.
type Catalog struct {
	Procedures []*Procedure // sorted by id
	// Places are the help places near the kiosk, in the order of the
	// catalog's places file.
	Places []*Place
	byID   map[string]*Procedure
}

// NewCatalog builds a catalog from procedures with distinct ids.
func NewCatalog(procs []*Procedure) *Catalog {
	c := &Catalog{
		Procedures: append([]*Procedure(nil), procs...),
		byID:       make(map[string]*Procedure, len(procs)),
	}
	sort.Slice(c.Procedures, func(i, j int) bool { return c.Procedures[i].ID < c.Procedures[j].ID })
	for _, p := range c.Procedures {
		c.byID[p.ID] = p
	}
	return c
}

// Procedure returns the procedure with the given id.
func (c *Catalog) Procedure(id string) (*Procedure, bool) {
	p, ok := c.byID[id]
	return p, ok
}

// Langs returns every language at least one procedure is offered in.
func (c *Catalog) Langs() []Lang {
	seen := map[Lang]bool{}
	var langs []Lang
	for _, p := range c.Procedures {
		for _, l := range p.Langs {
			if !seen[l] {
				seen[l] = true
				langs = append(langs, l)
			}
		}
	}
	SortLangs(langs)
	return langs
}

// In returns the procedures offered in the given language.
func (c *Catalog) In(lang Lang) []*Procedure {
	var procs []*Procedure
	for _, p := range c.Procedures {
		if _, ok := p.Title[lang]; ok {
			procs = append(procs, p)
		}
	}
	return procs
}

// Problem is a mistake found in a catalog file, said in plain words so the
// staff member who wrote the file can mend it.
type Problem struct {
	File      string
	Line, Col int // 1-based; 0 when the problem concerns the whole file
	Message   string
}

func (p Problem) String() string {
	if p.Line == 0 { // the whole file or folder: no place to point at
		return fmt.Sprintf("%s: %s", p.File, p.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Message)
}

// CatalogUpdate is what a catalog source tells its subscribers after the
// files on disk changed.
type CatalogUpdate struct {
	// Catalog is the catalog now live. When the change had problems it is
	// the last good catalog, unchanged for every broken procedure.
	Catalog *Catalog
	// Problems lists what is wrong on disk; empty when the change applied.
	Problems []Problem
}

// CatalogSource serves the live catalog and tells of changes.
type CatalogSource interface {
	// Catalog returns the catalog live now. It never returns nil.
	Catalog() *Catalog
	// Problems returns what was wrong on disk at the last load, for staff.
	Problems() []Problem
	// Subscribe returns a channel that receives an update after each reload.
	// A slow reader only misses intermediate updates: the channel always
	// ends up holding the latest one. cancel stops and closes the channel.
	Subscribe() (updates <-chan CatalogUpdate, cancel func())
}
