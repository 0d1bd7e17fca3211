package yamlsrc

import (
	"testing"
	"time"

	"github.com/plugctl/plugctl/internal/diag"
)

// FuzzParse checks that no input crashes or stalls the front end under
// either document's options, that a refusal reports at least one problem,
// and that every problem and value is at 1:1 or after. The config and
// manifest packages fuzz the schemas on top with their own seeds.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "a: 1\n", "\ufeffa: b\r\n", "a: b\rc: d\n", "a: &x [1, *x]\n", "a: &x {b: 1}\nc: {<<: *x}\n",
		"a: !!str 1\nb: !foo x\n", "a: 99999999999999999999\nb: 1e400\nc: .nan\n", "a:\n\tb: c\n",
		"a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
		"- a\n- ? b\n  : c\n---\nd\n", "a: \"\\x00\\e\"\nb: caf\xe9\n", "a: |\n  x\n  y\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, o := range []Options{{Noun: "config", Anchors: true, Tags: true}, {Noun: "manifest"}} {
			problems := 0
			o.Report = func(pos diag.Pos, _ Path, msg string) {
				problems++
				if pos.Line < 1 || pos.Col < 1 || msg == "" {
					t.Errorf("%s: problem %q at %v", o.Noun, msg, pos)
				}
			}
			start := time.Now()
			root, ok := Parse(data, o)
			if d := time.Since(start); d > 10*time.Second {
				t.Fatalf("%s: Parse took %v", o.Noun, d)
			}
			if !ok && problems == 0 {
				t.Fatalf("%s: refused without a problem", o.Noun)
			}
			if root != nil {
				checkPositions(t, root, map[*Node]bool{})
			}
		}
	})
}

// checkPositions fails t when a value of n, or a key, is before 1:1.
func checkPositions(t *testing.T, n *Node, seen map[*Node]bool) {
	if seen[n] {
		return // shared by an alias
	}
	seen[n] = true
	if n.Pos.Line < 1 || n.Pos.Col < 1 {
		t.Fatalf("value at %v", n.Pos)
	}
	for _, e := range n.Entries {
		if e.KeyPos.Line < 1 || e.KeyPos.Col < 1 {
			t.Fatalf("key %q at %v", e.Key, e.KeyPos)
		}
		checkPositions(t, e.Val, seen)
	}
	for _, it := range n.Items {
		checkPositions(t, it.Val, seen)
	}
}
