// Package cli reads the command line and wires the packages of the kiosk
// together for each subcommand.
package cli

import (
	"context"
	"fmt"
	"io"

	// Before Fyne's init: no "Fyne error: Error parsing user locale".
	_ "passerelle/app/cli/fynelocale"
)

// Run runs the subcommand named by args and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-version") {
		return runVersion(stdout)
	}
	cmd, rest := "kiosk", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "kiosk":
		return runKiosk(ctx, rest, stdout, stderr)
	case "validate":
		return runValidate(ctx, rest, stdout, stderr)
	case "hub":
		return runHub(ctx, rest, stdout, stderr)
	case "join":
		return runJoin(ctx, rest, stdout, stderr)
	case "sync":
		return runSync(ctx, rest, stdout, stderr)
	case "stats":
		return runStats(ctx, rest, stdout, stderr)
	case "simulate":
		return runSimulate(ctx, rest, stdout, stderr)
	case "pin":
		return runPin(ctx, rest, stdout, stderr)
	case "version":
		return runVersion(stdout)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "passerelle: unknown command %q\n%s", cmd, usage)
		return 2
	}
}

const usage = `Usage:
  passerelle [kiosk] [-catalog DIR]   open the kiosk on a catalog of procedures
  passerelle validate [-sources-max-age 4380h] [DIR]
                                      check a catalog and list its procedures
  passerelle hub -listen 127.0.0.1:8750 -db hub.db -catalog DIR [-tls-cert F -tls-key F]
                                      run the hub: kiosks send it their events
                                      and get its catalog
  passerelle hub enroll -db hub.db NAME
                                      enroll a kiosk: prints a one-time token
  passerelle hub revoke -db hub.db NAME
                                      refuse a kiosk from now on
  passerelle hub migrate -db hub.db   bring the hub's database to the latest
                                      schema, without serving
  passerelle hub user add -db hub.db NAME
                                      a staff account of the hub's page:
                                      password read twice from stdin
  passerelle join -db kiosk.db -hub URL -token TOKEN
                                      join a hub with the token, on the kiosk
  passerelle sync -once -db kiosk.db  sync a kiosk with its hub once, now
  passerelle simulate -db kiosk.db -sessions N [-seed S] [-catalog DIR]
                                      append made-up sessions, for trials
  passerelle stats -db FILE [-json]   count the events and sessions of a kiosk's
                                      or a hub's database, and its sync state
  passerelle pin -db kiosk.db         set the staff PIN (read twice from stdin),
                                      with the kiosk stopped
  passerelle version                  print the version and the commit it was
                                      built from (also --version)
  passerelle help                     show this help
Each command takes -h for its flags. A hub's -db (hub, enroll, revoke, migrate,
stats) is a SQLite file, or a PostgreSQL connection string:
postgres://user:password@host/dbname or "host=... dbname=... user=...".
`

// DefaultCatalog is the catalog shipped with the kiosk, relative to the
// working directory. The Debian package's build sets it to where the
// package puts it (/usr/share/passerelle/procedures, -ldflags -X).
var DefaultCatalog = "data/procedures"
