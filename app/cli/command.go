package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
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

// parse reads args. The arguments left after the flags must number
// exactly len(names); they are returned in order. -h returns flag.ErrHelp.
func (c *command) parse(args []string, names ...string) ([]string, error) {
	if err := c.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err.Error()}
	}
	rest := c.Args()
	switch {
	case len(rest) < len(names):
		return nil, usagef("%s is missing", names[len(rest)])
	case len(rest) > len(names):
		// A flag after an argument is not read by the flag package: say so.
		if strings.HasPrefix(rest[len(names)], "-") && len(names) > 0 {
			return nil, usagef("%s comes after %s: put the flags first", rest[len(names)], rest[len(names)-1])
		}
		return nil, usagef("unexpected argument %q", rest[len(names)])
	}
	return rest, nil
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
