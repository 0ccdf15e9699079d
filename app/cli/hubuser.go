package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"passerelle/app/passerelle"
)

const userAddSynopsis = "passerelle hub user add -db hub.db|DSN NAME"

// runHubUser runs the staff accounts' commands: add, for now.
func runHubUser(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "add" {
		return runHubUserAdd(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "usage: %s\n", userAddSynopsis)
	return 2
}

// runHubUserAdd creates a staff account of the hub's page: the password
// is read twice from stdin, without echo on a terminal, and stored only as
// an argon2id hash. The hub may be running: the account works at once.
func runHubUserAdd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCommand("hub user add", userAddSynopsis)
	db := c.String("db", defaultDataPath("hub.db"), dbUsage)
	names, err := c.parse(args, "NAME")
	if errors.Is(err, flag.ErrHelp) {
		return c.help(stdout)
	} else if err != nil {
		return c.fail(stderr, err)
	}
	if err := required(map[string]string{"db": *db}); err != nil {
		return c.fail(stderr, err)
	}
	name := names[0]
	if err := passerelle.CheckStaffName(name); err != nil {
		return c.fail(stderr, err)
	}
	password, err := readTwice(passwordReader(stdin, stderr),
		fmt.Sprintf("Password for %s (at least %d characters): ", name, passerelle.MinPasswordLength),
		"The same password again: ", "passwords", "no account was created", passerelle.CheckNewPassword)
	if err != nil {
		return c.fail(stderr, err)
	}
	store, err := openHubStoreBeside(*db)
	if err != nil {
		return c.fail(stderr, err)
	}
	defer store.Close()
	hash := passerelle.HashPassword(password, passerelle.DefaultPINParams)
	err = store.AddStaffUser(ctx, name, hash, time.Now())
	if errors.Is(err, passerelle.ErrExists) {
		return c.fail(stderr, fmt.Errorf("the account %q exists already on this hub: choose another name", name))
	} else if err != nil {
		return c.fail(stderr, err)
	}
	fmt.Fprintf(stdout, "The staff account %q is created: sign in on the hub's page with it.\n", name)
	return 0
}

// passwordReader reads a password. Only the line's end is cut: spaces
// may be part of a password.
func passwordReader(in io.Reader, stderr io.Writer) func(prompt string) (string, error) {
	return secretReader(in, stderr, "password", "no password on the input: type it twice, or give it on two lines",
		func(s string) string { return strings.TrimRight(s, "\r\n") })
}
