// Package lp prints on the kiosk's receipt printer through CUPS, by
// running its command-line client lp (Debian package cups-client): lp
// hands the job to the CUPS server, which knows the printer's driver.
package lp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Printer is a CUPS destination. It implements passerelle.Printer.
type Printer struct {
	// Name is the CUPS destination, as lpstat -p lists it.
	Name string
	// Command is the lp program; "" means "lp", found on PATH.
	Command string
}

// Print sends text as one plain-text job (UTF-8) to the destination. It
// returns once lp has handed the job to CUPS, or with what lp said when
// it could not.
func (p Printer) Print(ctx context.Context, text string) error {
	command := p.Command
	if command == "" {
		command = "lp"
	}
	// -t names the job in the queue; the text comes on standard input, so
	// nothing of the person's summary is written to the kiosk's disk.
	cmd := exec.CommandContext(ctx, command, "-d", p.Name, "-t", "passerelle-summary", "-o", "document-format=text/plain")
	cmd.Stdin = strings.NewReader(text)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return fmt.Errorf("print on %s: %s is not installed (Debian package cups-client)", p.Name, command)
	case ctx.Err() != nil:
		return fmt.Errorf("print on %s: %s did not answer in time: %w", p.Name, command, ctx.Err())
	case err != nil:
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = "no message"
		}
		return fmt.Errorf("print on %s: %s: %w: %s", p.Name, command, err, msg)
	}
	return nil
}
