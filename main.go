// Command passerelle is a kiosk that guides people who cannot read through
// online administrative procedures, by pictograms and voice.
//
//	passerelle [kiosk] [-catalog DIR]   open the kiosk (the default)
//	passerelle validate [DIR]           check a catalog of procedures
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"passerelle/app/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
