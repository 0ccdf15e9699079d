package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Exit codes of the subcommands.
const (
	exitFailed = 1 // the command could not do its work: an unreachable hub, a refused token
	exitUsage  = 2 // a mistake on the command line
)

// command is one subcommand's command line. Its flag package messages are
// not printed as they come (a message, then the whole list of flags):
// a mistake is reported as one sentence, the command's synopsis after it.
type command struct {
	name     string // as typed after passerelle: "hub enroll"
	synopsis string // "passerelle hub enroll -db hub.db NAME"
	*flag.FlagSet
}

func newCommand(name, synopsis string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &command{name: name, synopsis: synopsis, FlagSet: fs}
}

// usageError is a mistake on the command line, said in one sentence.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// usagef returns a usageError.
func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// parse reads args: flags, and the arguments named by names, in any
// order (staff type "hub enroll mairie-1 -db hub.db" as often as the
// flags first). There must be exactly len(names) arguments; they are
// returned in order. -h returns flag.ErrHelp.
func (c *command) parse(args []string, names ...string) ([]string, error) {
	var got []string
	for {
		if err := c.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{c.plain(err)}
		}
		args = c.Args()
		if len(args) == 0 {
			break
		}
		if len(got) == len(names) {
			return nil, usagef("unexpected argument %q", args[0])
		}
		got, args = append(got, args[0]), args[1:]
	}
	if len(got) < len(names) {
		return nil, usagef("%s is missing", names[len(got)])
	}
	return got, nil
}

// badValue matches the flag package's message for a value of the wrong
// type: invalid value "x" for flag -n: parse error.
var badValue = regexp.MustCompile(`^invalid (?:boolean )?value (".*") for (?:flag )?-([^:]+): `)

// plain says a flag package's error in plain words.
func (c *command) plain(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return fmt.Sprintf("there is no flag %s", name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return fmt.Sprintf("%s needs a value", name)
	}
	m := badValue.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	f := c.Lookup(m[2])
	if f == nil {
		return msg
	}
	return fmt.Sprintf("-%s %s is not %s", m[2], m[1], valueKind(f))
}

// valueKind says in plain words what a flag's value must be.
func valueKind(f *flag.Flag) string {
	if g, ok := f.Value.(flag.Getter); ok {
		switch g.Get().(type) {
		case bool:
			return "true or false"
		case int, int64:
			return "a whole number"
		case uint, uint64:
			return "a whole number from 0"
		case float64:
			return "a number"
		case time.Duration:
			return "a duration like 90s or 5m"
		}
	}
	return "a valid value"
}

// required refuses empty values of the named flags.
func required(flags map[string]string) error {
	for _, name := range slices.Sorted(maps.Keys(flags)) {
		if strings.TrimSpace(flags[name]) == "" {
			return usagef("-%s is missing", name)
		}
	}
	return nil
}

// fail reports err as the command's one sentence on stderr and returns the
// exit code: exitUsage for a mistake on the command line, with the
// synopsis; exitFailed otherwise.
func (c *command) fail(stderr io.Writer, err error) int {
	var u usageError
	if errors.As(err, &u) {
		fmt.Fprintf(stderr, "passerelle %s: %s (usage: %s)\n", c.name, oneLine(err.Error()), c.synopsis)
		return exitUsage
	}
	fmt.Fprintf(stderr, "passerelle %s: %s\n", c.name, oneLine(err.Error()))
	return exitFailed
}

// help prints the synopsis and the flags, for -h.
func (c *command) help(stdout io.Writer) int {
	fmt.Fprintf(stdout, "Usage: %s\n", c.synopsis)
	c.SetOutput(stdout)
	c.PrintDefaults()
	return 0
}

// oneLine keeps a message on one line: an error may quote a file's
// content or a server's answer.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
