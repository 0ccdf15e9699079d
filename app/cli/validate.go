package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

// runValidate checks a catalog folder: exit 0 and one line per procedure
// on stdout when it is sound, else exit 1 and one line per problem on
// stderr. Warnings (no sources, a source checked long ago, a pictogram with
// two meanings) follow, in the same stream, and do not change the exit code.
func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	maxAge := fs.Duration("sources-max-age", procedure.DefaultSourcesMaxAge,
		"warn about a source checked longer ago than this, in hours (4380h is 6 months)")
	hints := fs.Bool("hints", false, "also print the FALC hints of the spoken texts (a sentence over 12 words, negative, an abbreviation never explained), as the hub's editor shows them")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: passerelle validate [-sources-max-age 4380h] [-hints] [DIR]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *maxAge <= 0 {
		fmt.Fprintf(stderr, "passerelle validate: -sources-max-age must be more than 0, like 4380h (6 months), not %s\n", *maxAge)
		return 2
	}
	dir := DefaultCatalog
	if fs.NArg() > 1 {
		fs.Usage()
		return 2
	}
	if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	l := procedure.Loader{SourcesMaxAge: *maxAge}
	res, err := l.Load(ctx, dir)
	if err != nil {
		fmt.Fprintf(stderr, "passerelle validate: %v\n", err)
		return 1
	}
	if len(res.Problems) > 0 {
		for _, p := range res.Problems {
			fmt.Fprintln(stderr, p)
		}
		printWarnings(stderr, res.Warnings)
		fmt.Fprintf(stderr, "%d problem(s) in %s%s\n", len(res.Problems), dir, warningCount(res.Warnings))
		return 1
	}
	cat := passerelle.NewCatalog(res.Procedures)
	printProcedures(stdout, cat)
	printWarnings(stdout, res.Warnings)
	if *hints {
		for _, p := range res.Hints {
			fmt.Fprintf(stdout, "%s:%d:%d: hint: %s\n", p.File, p.Line, p.Col, p.Message)
		}
	}
	places := ""
	if len(res.Places) > 0 {
		places = fmt.Sprintf(" and %d help places", len(res.Places))
	}
	fmt.Fprintf(stdout, "%d procedures in %d languages (%s)%s: the catalog is sound%s\n",
		len(cat.Procedures), len(cat.Langs()), langCodes(cat.Langs()), places, warningCount(res.Warnings))
	return 0
}

// printProcedures writes one line per procedure.
func printProcedures(w io.Writer, cat *passerelle.Catalog) {
	for _, p := range cat.Procedures {
		fmt.Fprintf(w, "%-32s v%-3d %2d steps  %-12s %s\n", p.ID, p.Version, len(p.Steps), langCodes(p.Langs), p.Title["fr"])
	}
}

// printWarnings writes warnings the way problems are written, marked as
// warnings: staff's editors jump to file:line:column either way.
func printWarnings(w io.Writer, warnings []passerelle.Problem) {
	for _, p := range warnings {
		fmt.Fprintf(w, "%s:%d:%d: warning: %s\n", p.File, p.Line, p.Col, p.Message)
	}
}

func warningCount(warnings []passerelle.Problem) string {
	switch len(warnings) {
	case 0:
		return ""
	case 1:
		return "; 1 warning to look at"
	}
	return fmt.Sprintf("; %d warnings to look at", len(warnings))
}

func langCodes(langs []passerelle.Lang) string {
	s := make([]string, len(langs))
	for i, l := range langs {
		s[i] = string(l)
	}
	return strings.Join(s, " ")
}
