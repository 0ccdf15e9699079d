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
// when it is sound, else exit 1 and one line per problem.
func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, "Usage: passerelle validate [DIR]") }
	if err := fs.Parse(args); err != nil {
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
	res, err := procedure.Load(ctx, dir)
	if err != nil {
		fmt.Fprintf(stderr, "passerelle validate: %v\n", err)
		return 1
	}
	if len(res.Problems) > 0 {
		for _, p := range res.Problems {
			fmt.Fprintln(stderr, p)
		}
		fmt.Fprintf(stderr, "%d problem(s) in %s\n", len(res.Problems), dir)
		return 1
	}
	cat := passerelle.NewCatalog(res.Procedures)
	printCatalog(stdout, cat)
	return 0
}

// printCatalog writes one line per procedure, then a summary.
func printCatalog(w io.Writer, cat *passerelle.Catalog) {
	for _, p := range cat.Procedures {
		fmt.Fprintf(w, "%-32s v%-3d %2d steps  %-12s %s\n", p.ID, p.Version, len(p.Steps), langCodes(p.Langs), p.Title["fr"])
	}
	fmt.Fprintf(w, "%d procedures in %d languages (%s): the catalog is sound\n",
		len(cat.Procedures), len(cat.Langs()), langCodes(cat.Langs()))
}

func langCodes(langs []passerelle.Lang) string {
	s := make([]string, len(langs))
	for i, l := range langs {
		s[i] = string(l)
	}
	return strings.Join(s, " ")
}
