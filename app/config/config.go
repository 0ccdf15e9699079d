// Package config reads Passerelle's configuration file, the one an
// installed kiosk or hub reads at start (/etc/passerelle/passerelle.conf):
//
//	# a comment: a whole line starting with # or ;
//	[kiosk]
//	inactivity = 2m
//	catalog = /usr/share/passerelle/procedures
//
//	[hub]
//	listen = 127.0.0.1:8750
//
// Each setting is a command-line flag of the subcommand its section names,
// without its dash; a flag given on the command line wins. A value is the
// rest of the line after "=", spaces around it removed; double quotes
// around it are removed too, so that a value may begin or end with a
// space. A # inside a value is part of it.
//
// This package only reads the lines; the subcommand checks the names and
// the values, and says what is wrong with the file's name and line.
package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxSize is the largest file read: a configuration file is a few
// kilobytes; anything bigger is not one.
const MaxSize = 1 << 20

// maxLine is the longest line read: a path or a connection string is far
// shorter.
const maxLine = 64 << 10

// Setting is one key = value line.
type Setting struct {
	Key, Value string
	Line       int // from 1
}

// File is a configuration file read: its settings by section, in the
// order of the file.
type File struct {
	Path     string
	sections map[string][]Setting
}

// Section returns the settings of the named section, in file order; none
// when the section is absent. A nil File has no settings.
func (f *File) Section(name string) []Setting {
	if f == nil {
		return nil
	}
	return f.sections[name]
}

// Error is a problem in the file, said in plain words with its line.
type Error struct {
	Path string
	Line int // 0: the whole file
	Msg  string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Path, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
}

// Read reads the file at path. A missing file is an error that
// errors.Is(err, fs.ErrNotExist) recognises: the caller decides whether
// defaults do.
func Read(path string, sections ...string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && !info.Mode().IsRegular() {
		return nil, &Error{path, 0, "this is not a file: give the configuration file"}
	}
	return Parse(f, path, sections...)
}

// Parse reads a configuration file from r; name is its path in messages.
// sections are the section names allowed; a setting outside a section, a
// line that is not a setting, a section not allowed or a key given twice
// in a section is an *Error.
func Parse(r io.Reader, name string, sections ...string) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxSize {
		return nil, &Error{name, 0, fmt.Sprintf("the file is larger than %d KB: it is not a configuration file", MaxSize>>10)}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a byte order mark some editors write
	f := &File{Path: name, sections: map[string][]Setting{}}
	section := ""
	firstLine := map[string]int{} // section + "\x00" + key → line
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	n := 1
	for ; sc.Scan(); n++ {
		fail := func(format string, args ...any) error {
			return &Error{name, n, fmt.Sprintf(format, args...)}
		}
		raw := sc.Text()
		if !utf8.ValidString(raw) || strings.ContainsRune(raw, 0) {
			return nil, fail("the line is not text: save the file as UTF-8 text")
		}
		line := strings.TrimSpace(raw)
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case line[0] == '[':
			name, ok := strings.CutSuffix(line[1:], "]")
			name = strings.TrimSpace(name)
			if !ok {
				return nil, fail("%q: a section is written [name], with the closing ]", line)
			}
			if !slices.Contains(sections, name) {
				return nil, fail("there is no section [%s]: the sections are %s", name, bracketed(sections))
			}
			section = name
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" {
			return nil, fail("%q is not a setting: write name = value", line)
		}
		if strings.ContainsAny(key, " \t") {
			return nil, fail("%q is not a setting name: a name has no spaces", key)
		}
		if section == "" {
			return nil, fail("%s is outside a section: put it under one of %s", key, bracketed(sections))
		}
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		id := section + "\x00" + key
		if first, twice := firstLine[id]; twice {
			return nil, fail("%s is set twice in [%s] (first on line %d): keep one", key, section, first)
		}
		firstLine[id] = n
		f.sections[section] = append(f.sections[section], Setting{Key: key, Value: value, Line: n})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &Error{name, n, fmt.Sprintf("the line is longer than %d KB: it is not a setting", maxLine>>10)}
		}
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return f, nil
}

// bracketed lists section names as they are written: [kiosk] or [hub].
func bracketed(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = "[" + n + "]"
	}
	return strings.Join(parts, " or ")
}
