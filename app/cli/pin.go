package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"passerelle/app/passerelle"
)

const pinSynopsis = "passerelle pin -db kiosk.db"

// stdin is where pin reads the PIN; tests replace it.
var stdin io.Reader = os.Stdin

// runPin sets the staff PIN of a kiosk: read twice from stdin, without
// echo on a terminal, stored only as a slow hash. The wrong PINs counted
// so far are forgotten. The kiosk must be stopped: one program at a time
// uses its database (the running kiosk sets its PIN on its first-start
// screen).
func runPin(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCommand("pin", pinSynopsis)
	db := c.String("db", defaultDataPath("kiosk.db"), "the kiosk's database file")
	if _, err := c.parse(args); errors.Is(err, flag.ErrHelp) {
		return c.help(stdout)
	} else if err != nil {
		return c.fail(stderr, err)
	}
	if err := required(map[string]string{"db": *db}); err != nil {
		return c.fail(stderr, err)
	}
	if err := kioskFile(*db); err != nil {
		return c.fail(stderr, err)
	}
	pin, err := readTwice(pinReader(stdin, stderr),
		fmt.Sprintf("Staff PIN (%d to %d digits): ", passerelle.MinPINDigits, passerelle.MaxPINDigits),
		"The same PIN again: ", "PINs", "nothing was changed", passerelle.CheckNewPIN)
	if err != nil {
		return c.fail(stderr, err)
	}
	store, err := openStoppedKiosk(*db)
	if err != nil {
		return c.fail(stderr, err)
	}
	defer store.Close()
	lock := &passerelle.PINLock{Store: store, Events: store}
	if err := lock.SetPIN(ctx, pin); err != nil {
		return c.fail(stderr, err)
	}
	fmt.Fprintf(stdout, "The staff PIN of %s is set: hold the top left corner of the kiosk's screen for 3 seconds, then type it.\n", *db)
	return 0
}

// secretReader returns a function that reads one secret, a PIN or a
// password (what): from a terminal without showing it, prompting on
// stderr; from a pipe, a line, and missing is said when there is none.
// clean trims what typing adds around the secret.
func secretReader(in io.Reader, stderr io.Writer, what, missing string, clean func(string) string) func(prompt string) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return func(prompt string) (string, error) {
			fmt.Fprint(stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(stderr)
			if err != nil {
				return "", fmt.Errorf("read the %s: %w", what, err)
			}
			return clean(string(b)), nil
		}
	}
	lines := bufio.NewReader(in)
	return func(string) (string, error) {
		line, err := lines.ReadString('\n')
		if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
			if errors.Is(err, io.EOF) {
				return "", errors.New(missing)
			}
			return "", fmt.Errorf("read the %s: %w", what, err)
		}
		return clean(line), nil
	}
}

// pinReader reads a PIN; spaces around it are not part of it.
func pinReader(in io.Reader, stderr io.Writer) func(prompt string) (string, error) {
	return secretReader(in, stderr, "PIN",
		"no PIN on the input: type it twice, or give it on two lines (printf '4806\\n4806\\n' | passerelle pin -db kiosk.db)",
		strings.TrimSpace)
}

// readTwice asks for a secret (a PIN, a password), checks it before asking
// again and before any database is opened, so that staff learn at once
// that it is refused, then asks again; it returns the secret when both
// agree. Every refusal says what was left unchanged.
func readTwice(read func(prompt string) (string, error), prompt, again, what, unchanged string, check func(string) error) (string, error) {
	secret, err := read(prompt)
	if err != nil {
		return "", err
	}
	if err := check(secret); err != nil {
		return "", errors.New(err.Error() + "; " + unchanged)
	}
	second, err := read(again)
	if err != nil {
		return "", err
	}
	if second != secret {
		return "", fmt.Errorf("the two %s differ; %s", what, unchanged)
	}
	return secret, nil
}
