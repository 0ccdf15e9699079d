package procedure_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"passerelle/app/procedure"
)

// maxRSS is the memory a load of any file under the limits may take, as
// `validate` would: the kiosk shares a small machine with a browser.
const maxRSS = 200 << 20

// worstFiles are the most expensive procedure files the limits let through
// to the YAML parser: each stays just under one limit of the raw check.
func worstFiles() map[string]string {
	// fill repeats lines while the file stays under the size and value limits.
	fill := func(valuesPerLine int, line func(i int) string) string {
		var b strings.Builder
		b.WriteString("id: worst\n")
		values := 1
		for i := 0; ; i++ {
			l := line(i)
			values += valuesPerLine
			if b.Len()+len(l) > procedure.MaxFileSize || values >= 20_000 {
				return b.String()
			}
			b.WriteString(l)
		}
	}
	depth := procedure.MaxDepth - 2
	deep := strings.Repeat("{a: ", depth) + "x" + strings.Repeat("}", depth)
	say := strings.Repeat("é", procedure.MaxSay)
	step := func(i int) string {
		return fmt.Sprintf("  - id: s%d\n    kind: info\n    pictogram: dot.svg\n    say: {fr: %s, en: %s, ar: %s}\n    next: s%d\n", i, say, say, say, i+1)
	}
	return map[string]string{
		"nesting just under the limit": fill(2*depth+1, func(i int) string { return fmt.Sprintf("k%d: %s\n", i, deep) }),
		"one line of 1 MB":             "id: worst\nx: \"" + strings.Repeat("a", procedure.MaxFileSize-20) + "\"\n",
		"a flow list of tiny items":    "id: worst\nx: [" + strings.Repeat("a,", 19_990) + "a]\n",
		"groups of 500 keys": fill(1, func(i int) string {
			return map[bool]string{true: fmt.Sprintf("g%d:\n", i), false: fmt.Sprintf("  k%d: v\n", i)}[i%501 == 0]
		}),
		"the most steps, longest texts": fill(0, func(i int) string {
			switch {
			case i == 0:
				return "steps:\n"
			case i <= procedure.MaxSteps:
				return step(i)
			}
			return "# " + strings.Repeat("x", 1000) + "\n"
		}),
	}
}

// TestLoadMemoryIsBounded loads each worst file in a child process and
// asserts the child's peak memory.
func TestLoadMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process per file")
	}
	for name, src := range worstFiles() {
		t.Run(name, func(t *testing.T) {
			if len(src) > procedure.MaxFileSize {
				t.Fatalf("the file is %d bytes, over the limit", len(src))
			}
			dir := t.TempDir()
			copyTree(t, filepath.Join(fixture, "pictograms"), filepath.Join(dir, "pictograms"))
			writeFile(t, filepath.Join(dir, "worst", procedure.FileName), src)
			cmd := exec.Command(os.Args[0], "-test.run=^TestLoadChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), "PASSERELLE_LOAD_CHILD="+dir)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child load: %v\n%s", err, out)
			}
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KB on Linux
			t.Logf("%s: peak RSS %d MB; %s", name, rss>>20, strings.TrimSpace(string(out)))
			if strings.Contains(string(out), "is it really a procedure") {
				t.Errorf("the file was refused before parsing: it does not measure the parser")
			}
			if rss > maxRSS {
				t.Errorf("peak RSS %d MB, want under %d MB", rss>>20, maxRSS>>20)
			}
		})
	}
}

// TestLoadChild is the child of TestLoadMemoryIsBounded: it loads the
// catalog named by the environment, as validate does, and says what it found.
func TestLoadChild(t *testing.T) {
	dir := os.Getenv("PASSERELLE_LOAD_CHILD")
	if dir == "" {
		t.Skip("run by TestLoadMemoryIsBounded")
	}
	res, err := procedure.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	first := ""
	if len(res.Problems) > 0 {
		first = res.Problems[0].Message
	}
	fmt.Printf("%d procedures, %d problems, first: %.120s\n", len(res.Procedures), len(res.Problems), first)
}
