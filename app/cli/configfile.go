package cli

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"passerelle/app/config"
)

// configFile is the configuration file the kiosk and the hub read when
// -config is not given; "" reads none. The Debian package's build sets it
// to /etc/passerelle/passerelle.conf (packaging/build-deb.sh, -ldflags -X),
// so that a build from a checkout reads no file unless told to.
var configFile = ""

// configSections are the sections of the configuration file: one per
// subcommand that reads it.
var configSections = []string{"kiosk", "hub"}

// configFlag defines -config on fs.
func configFlag(fs *flag.FlagSet) *string {
	def := configFile
	help := "a configuration file: lines of name = value under [kiosk] and [hub], each a flag of that command; a flag given here wins"
	if def != "" {
		help += " (when missing, the defaults)"
	}
	return fs.String("config", def, help)
}

// fromFile says where a flag's value came from: a file's name and line,
// for the messages that refuse a value.
type fromFile map[string]string

// applyConfig reads the configuration file at path and gives each flag of
// fs its value from the section, except the flags the command line gave.
// A missing file at the default path is no error (the defaults apply); a
// missing file given with -config is. It returns where each value came
// from.
func applyConfig(fset *flag.FlagSet, path, section string) (fromFile, error) {
	if path == "" {
		return nil, nil
	}
	given := map[string]bool{}
	fset.Visit(func(f *flag.Flag) { given[f.Name] = true })
	f, err := config.Read(path, configSections...)
	if errors.Is(err, fs.ErrNotExist) && !given["config"] {
		return nil, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("-config %s: there is no such file", path)
	}
	if err != nil {
		return nil, err
	}
	from := fromFile{}
	for _, s := range f.Section(section) {
		at := fmt.Sprintf("%s:%d", path, s.Line)
		fl := fset.Lookup(s.Key)
		if fl == nil || s.Key == "config" {
			return nil, fmt.Errorf("%s: there is no setting %q in [%s]: the settings are %s", at, s.Key, section, settingNames(fset))
		}
		if given[s.Key] {
			continue
		}
		if err := fset.Set(s.Key, s.Value); err != nil {
			return nil, fmt.Errorf("%s: %s = %s is not %s", at, s.Key, s.Value, valueKind(fl))
		}
		from[s.Key] = at
	}
	return from, nil
}

// locate adds to an error that refuses a flag's value ("-inactivity 5s is
// out of range...") the file and line the value came from, when it came
// from the configuration file.
func (from fromFile) locate(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for name, at := range from {
		if rest, ok := strings.CutPrefix(msg, "-"+name); ok && (rest == "" || rest[0] == ' ' || rest[0] == ':') {
			return fmt.Errorf("%s: %w", at, err)
		}
	}
	return err
}

// settingNames lists the settings a section may hold: its command's flags.
func settingNames(fset *flag.FlagSet) string {
	var names []string
	fset.VisitAll(func(f *flag.Flag) {
		if f.Name != "config" {
			names = append(names, f.Name)
		}
	})
	slices.Sort(names)
	return strings.Join(names, ", ")
}
