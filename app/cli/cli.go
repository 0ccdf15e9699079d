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
	cmd, rest := "kiosk", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "kiosk":
		return runKiosk(ctx, rest, stdout, stderr)
	case "validate":
		return runValidate(ctx, rest, stdout, stderr)
	case "simulate":
		return runSimulate(ctx, rest, stdout, stderr)
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
  passerelle help                     show this help
`

// DefaultCatalog is the catalog shipped with the kiosk, relative to the
// working directory.
const DefaultCatalog = "data/procedures"
