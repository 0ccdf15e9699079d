package config_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"passerelle/app/config"
)

var sections = []string{"kiosk", "hub"}

func TestParseReadsSettings(t *testing.T) {
	for _, tc := range []struct {
		name  string
		file  string
		kiosk []config.Setting
		hub   []config.Setting
	}{
		{"empty file", "", nil, nil},
		{"comments and blank lines only", "# a comment\n\n   ; another\n\t\n", nil, nil},
		{"one setting", "[kiosk]\ninactivity = 2m\n", []config.Setting{{"inactivity", "2m", 2}}, nil},
		{"spaces around everything", "  [ kiosk ]  \n   volume=0.5   \n", []config.Setting{{"volume", "0.5", 2}}, nil},
		{"two sections, in file order", "[hub]\nlisten = 127.0.0.1:9000\n[kiosk]\nrate = 120\ndb = /var/lib/k.db\n",
			[]config.Setting{{"rate", "120", 4}, {"db", "/var/lib/k.db", 5}}, []config.Setting{{"listen", "127.0.0.1:9000", 2}}},
		{"a section given twice adds to it", "[kiosk]\nrate = 120\n[hub]\n[kiosk]\nvolume = 1\n",
			[]config.Setting{{"rate", "120", 2}, {"volume", "1", 5}}, nil},
		{"an empty value", "[kiosk]\nprinter =\n", []config.Setting{{"printer", "", 2}}, nil},
		{"quotes keep spaces and are removed", "[kiosk]\ncatalog = \" /srv/a b \"\n", []config.Setting{{"catalog", " /srv/a b ", 2}}, nil},
		{"a # inside a value is kept", "[kiosk]\nprinter = desk#2\n", []config.Setting{{"printer", "desk#2", 2}}, nil},
		{"an = inside a value is kept", "[hub]\ndb = host=db1 dbname=hub\n", nil, []config.Setting{{"db", "host=db1 dbname=hub", 2}}},
		{"Windows line ends", "[kiosk]\r\nrate = 120\r\n", []config.Setting{{"rate", "120", 2}}, nil},
		{"a byte order mark", "\xef\xbb\xbf[kiosk]\nrate = 120\n", []config.Setting{{"rate", "120", 2}}, nil},
		{"no newline at the end", "[kiosk]\nrate = 120", []config.Setting{{"rate", "120", 2}}, nil},
		{"a commented setting is not read", "[kiosk]\n#rate = 120\n", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := config.Parse(strings.NewReader(tc.file), "passerelle.conf", sections...)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Section("kiosk"); !reflect.DeepEqual(got, tc.kiosk) {
				t.Errorf("[kiosk] = %v, want %v", got, tc.kiosk)
			}
			if got := f.Section("hub"); !reflect.DeepEqual(got, tc.hub) {
				t.Errorf("[hub] = %v, want %v", got, tc.hub)
			}
		})
	}
}

func TestParseRefusesMistakes(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		line int
		says []string
	}{
		{"a setting before any section", "# settings\nrate = 120\n", 2, []string{"rate is outside a section", "[kiosk] or [hub]"}},
		{"an unknown section", "[kiosk]\nrate = 120\n[printer]\n", 3, []string{"there is no section [printer]", "[kiosk] or [hub]"}},
		{"a section not closed", "[kiosk\n", 1, []string{`"[kiosk"`, "closing ]"}},
		{"a line without =", "[kiosk]\nrate 120\n", 2, []string{`"rate 120" is not a setting`, "name = value"}},
		{"a value without a name", "[kiosk]\n= 120\n", 2, []string{"is not a setting"}},
		{"a name with a space", "[kiosk]\nspeech rate = 120\n", 2, []string{`"speech rate" is not a setting name`}},
		{"a setting given twice", "[kiosk]\nrate = 120\nvolume = 1\nrate = 150\n", 4, []string{"rate is set twice in [kiosk] (first on line 2)"}},
		{"bytes that are not text", "[kiosk]\nrate = \xff\xfe\n", 2, []string{"not text", "UTF-8"}},
		{"a NUL byte", "[kiosk]\nrate = 1\x0020\n", 2, []string{"not text"}},
		{"a file far too big", "[kiosk]\n" + strings.Repeat("# padding\n", config.MaxSize/10+1), 0, []string{"larger than"}},
		{"one line far too long", "[kiosk]\nrate = 1\nx = " + strings.Repeat("a", 100<<10) + "\n", 3, []string{"longer than 64 KB"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse(strings.NewReader(tc.file), "/etc/passerelle/passerelle.conf", sections...)
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want a *config.Error", err)
			}
			if ce.Line != tc.line || ce.Path != "/etc/passerelle/passerelle.conf" {
				t.Errorf("at %s:%d, want line %d", ce.Path, ce.Line, tc.line)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "/etc/passerelle/passerelle.conf:") {
				t.Errorf("want one line starting with the file's name, got %q", msg)
			}
			for _, s := range tc.says {
				if !strings.Contains(msg, s) {
					t.Errorf("%q does not say %q", msg, s)
				}
			}
		})
	}
}

func TestReadMissingFile(t *testing.T) {
	_, err := config.Read(filepath.Join(t.TempDir(), "passerelle.conf"), sections...)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error %v, want one errors.Is(fs.ErrNotExist) recognises", err)
	}
}

func TestReadRefusesAFolder(t *testing.T) {
	dir := t.TempDir()
	_, err := config.Read(dir, sections...)
	var ce *config.Error
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), dir+": this is not a file") {
		t.Fatalf("error %v, want one saying the folder is not a file", err)
	}
}

func TestNilFileHasNoSettings(t *testing.T) {
	var f *config.File
	if s := f.Section("kiosk"); s != nil {
		t.Errorf("nil file's [kiosk] = %v", s)
	}
}
