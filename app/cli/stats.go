package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"passerelle/app/figurescsv"
	"passerelle/app/passerelle"
)

const statsSynopsis = "passerelle stats -db FILE|DSN [-json | -csv [-o FILE|FOLDER]] [-from YYYY-MM-DD] [-to YYYY-MM-DD] [-period day|week|month] [-tz ZONE]"

// runStats prints the counts, the sync state and the anonymous figures
// of a kiosk's or a hub's database, read-only, while the kiosk or the hub
// runs on it; or writes the figures as CSV.
func runStats(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCommand("stats", statsSynopsis)
	db := c.String("db", "", "the database file of a kiosk or of a hub, or a hub's PostgreSQL connection string")
	asJSON := c.Bool("json", false, "print one JSON object instead of text")
	asCSV := c.Bool("csv", false, "write the figures as one CSV table (UTF-8, for LibreOffice or Excel) instead of text")
	out := c.String("o", "", "with -csv: the file to write, or a folder (a USB stick) to write it in; stdout when not given")
	from := c.String("from", "", "the first day counted, YYYY-MM-DD (default: the first day of the month 11 months ago)")
	to := c.String("to", "", "the last day counted, YYYY-MM-DD, included (default: today)")
	period := c.String("period", "month", "how to cut the figures: day, week or month")
	zone := c.String("tz", passerelle.ParisTime, "the time zone where the kiosks' days begin")
	if _, err := c.parse(args); errors.Is(err, flag.ErrHelp) {
		return c.help(stdout)
	} else if err != nil {
		return c.fail(stderr, err)
	}
	if err := required(map[string]string{"db": *db}); err != nil {
		return c.fail(stderr, err)
	}
	if *out != "" {
		*asCSV = true
	}
	if *asJSON && *asCSV {
		return c.fail(stderr, usagef("-json and -csv are two ways to print the figures: give one"))
	}
	q, err := figuresQuery(*from, *to, *period, *zone, time.Now())
	if err != nil {
		return c.fail(stderr, err)
	}
	if *asCSV {
		f, err := readFigures(ctx, *db, q)
		if err != nil {
			return c.fail(stderr, err)
		}
		if *out == "" {
			if err := figurescsv.Write(stdout, f); err != nil {
				return c.fail(stderr, err)
			}
			return 0
		}
		path, err := saveFiguresCSV(*out, f)
		if err != nil {
			return c.fail(stderr, err)
		}
		fmt.Fprintf(stdout, "The figures from %s to %s are in %s\n", f.From.Format(time.DateOnly), f.LastDay().Format(time.DateOnly), path)
		return 0
	}
	stats, err := readStats(ctx, *db)
	if err != nil {
		return c.fail(stderr, err)
	}
	f, err := readFigures(ctx, *db, q)
	if err != nil {
		return c.fail(stderr, err)
	}
	if *asJSON {
		b, err := statsJSON(stats, f)
		if err != nil {
			return c.fail(stderr, err)
		}
		fmt.Fprintf(stdout, "%s\n", b)
		return 0
	}
	if stats.Kind == passerelle.KindHub {
		printHubStats(stdout, databaseName(*db), stats)
	} else {
		printKioskStats(stdout, *db, stats)
	}
	fmt.Fprintln(stdout)
	printFigures(stdout, f, stats.Kind == passerelle.KindHub)
	return 0
}

// printKioskStats writes a kiosk's stats for staff, one fact a line.
func printKioskStats(w io.Writer, db string, s passerelle.DatabaseStats) {
	fmt.Fprintf(w, "Kiosk database %s\n", db)
	fmt.Fprintf(w, "  %d events in %d sessions\n", s.Events, s.Sessions)
	if s.HubURL == "" {
		fmt.Fprintln(w, "  not joined to a hub: its events stay on this kiosk")
		return
	}
	fmt.Fprintf(w, "  joined to the hub %s as %q\n", s.HubURL, s.Kiosk)
	fmt.Fprintf(w, "  %d events not yet held by the hub, %d refused by it as conflicts\n", s.Pending, s.Conflicts)
	switch {
	case s.LastSyncSuccess.IsZero():
		fmt.Fprintln(w, "  no sync has succeeded yet")
	default:
		fmt.Fprintf(w, "  last sync that succeeded: %s\n", plainTime(s.LastSyncSuccess))
	}
	if s.LastSyncError != "" {
		fmt.Fprintf(w, "  the last sync failed: %s\n", printable(s.LastSyncError))
	}
	if s.CatalogVersion == "" {
		fmt.Fprintln(w, "  catalog: the one shipped with the kiosk (none received from the hub yet)")
	} else {
		fmt.Fprintf(w, "  catalog: version %s from the hub\n", shortHash(s.CatalogVersion))
	}
}

// printHubStats writes a hub's totals, then one line per kiosk.
func printHubStats(w io.Writer, db string, s passerelle.DatabaseStats) {
	fmt.Fprintf(w, "Hub database %s\n", db)
	kiosks := "kiosks"
	if len(s.Kiosks) == 1 {
		kiosks = "kiosk"
	}
	fmt.Fprintf(w, "  %d events in %d sessions; %d %s enrolled\n", s.Events, s.Sessions, len(s.Kiosks), kiosks)
	if s.LatestCatalog == "" {
		fmt.Fprintln(w, "  no catalog published yet")
	} else {
		fmt.Fprintf(w, "  catalog published: version %s\n", shortHash(s.LatestCatalog))
	}
	if len(s.Kiosks) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIOSK\tSTATE\tLAST SEEN\tPENDING\tCATALOG\tAPP\tLAST ERROR")
	for _, k := range s.Kiosks {
		state := "joined"
		switch {
		case !k.RevokedAt.IsZero():
			state = "revoked"
		case k.JoinedAt.IsZero():
			state = "waiting to join"
		}
		seen := "never"
		if !k.LastSeen.IsZero() {
			seen = plainTime(k.LastSeen)
		}
		catalog := shortHash(k.Report.CatalogVersion)
		switch {
		case k.Report.CatalogVersion == "" && !k.LastSeen.IsZero():
			catalog = "shipped"
		case k.Report.CatalogVersion == "":
			catalog = "-"
		case k.Report.CatalogVersion == s.LatestCatalog:
			catalog += " (latest)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", printable(k.Name), state, seen, k.Report.PendingEvents,
			printable(catalog), orDash(printable(k.Report.AppVersion)), orDash(printable(k.Report.LastError)))
	}
	tw.Flush()
}

// plainTime writes a time to the minute, in UTC, as staff read it.
func plainTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// shortHash is a catalog version's first 12 hex digits, enough to tell
// versions apart on a screen.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// printable is s on one line without control characters: what a kiosk
// reports reaches the hub's terminal, and a tab, a newline or an escape
// sequence in it must not garble the table or the terminal.
func printable(s string) string {
	return oneLine(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
