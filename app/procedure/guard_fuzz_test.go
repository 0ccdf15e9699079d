package procedure

import (
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// FuzzScanDepth checks the cheap nesting scan against the parser itself:
// whatever file the scan lets through, the tree the parser builds is no
// deeper than the scan allows (with room for the scan's approximations).
// A file that fools the scan would reach the parser nested 100 000 deep.
func FuzzScanDepth(f *testing.F) {
	for _, s := range []string{
		"a: [b, {c: d}]\n",
		"a: '[[[[' \nb: \"{{{{\"\n",
		"a: |\n  [[[[\n  'x\nb: [c]\n",
		"- - - [a]\n",
		"a: b # [[[[\nc: [\n  d, [e]]\n",
		"a: \"x\\\"[[[\" \n",
		"a: 'it''s [[[['\n",
		"? [a, b]\n: c\n",
		"a: &x [b]\nc: !!seq [d]\n",
		"a: x'[y\nb: [c'd, e]\n",
		"# ]]]]]]]]\n" + "a: " + strings.Repeat("[", 60) + strings.Repeat("]", 60),
		"a: >-\n   x\n  [[[\n",
		"- key: |\n    text\n  other: [[[[\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		text, _, msg := checkRaw(src)
		if msg != "" {
			return
		}
		file, err := parser.ParseBytes(text, 0)
		if err != nil {
			return
		}
		for _, doc := range file.Docs {
			if d := treeDepth(doc.Body, 0); d > 2*MaxDepth {
				t.Fatalf("the scan let through a tree %d deep:\n%q", d, text)
			}
		}
	})
}

// treeDepth measures how deep lists and mappings nest under n.
func treeDepth(n ast.Node, depth int) int {
	if depth > 4*MaxDepth {
		return depth // deep enough to fail; no need to go on
	}
	deepest := depth
	visit := func(child ast.Node, d int) {
		if child != nil {
			deepest = max(deepest, treeDepth(child, d))
		}
	}
	switch v := n.(type) {
	case *ast.MappingNode:
		for _, kv := range v.Values {
			visit(kv.Key, depth+1)
			visit(kv.Value, depth+1)
		}
	case *ast.MappingValueNode:
		visit(v.Key, depth+1)
		visit(v.Value, depth+1)
	case *ast.SequenceNode:
		for _, item := range v.Values {
			visit(item, depth+1)
		}
	case *ast.AnchorNode:
		visit(v.Value, depth)
	case *ast.TagNode:
		visit(v.Value, depth)
	case *ast.MappingKeyNode:
		visit(v.Value, depth)
	}
	return deepest
}
