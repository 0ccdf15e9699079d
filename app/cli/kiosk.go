package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
)

// runKiosk opens the kiosk. Until the screens exist it checks the catalog
// and lists what the kiosk would offer.
func runKiosk(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	catalog := fs.String("catalog", DefaultCatalog, "folder of procedures")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "passerelle kiosk: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	return runValidate(ctx, []string{*catalog}, stdout, stderr)
}
