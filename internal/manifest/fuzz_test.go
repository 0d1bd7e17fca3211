package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/testenv"
)

// FuzzParse checks that no input crashes the parser, that a manifest it
// accepts holds what its documentation promises, and that every refusal is
// a list of positioned problems.
func FuzzParse(f *testing.F) {
	f.Add([]byte(full))
	for _, s := range []string{
		"", "- a\n", "description: &d x\nconflicts: [*d]\n", "settings:\n  port: {type: int, default: \"9090\"}\n",
		"requires:\n  core: 1.5\n", "requires: {plugins: [a, a]}\n", "settings: {a: {default: [1, {b: ~}]}}\n",
		"a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
		"settings: {n: {type: float, default: 1e3}}\n", "\ufeffdescription: x\r\n",
	} {
		f.Add([]byte(s))
	}
	if dirs, err := filepath.Glob(filepath.Join(testenv.RepoRoot(f), "examples", "plugins", "*", FileName)); err == nil {
		for _, p := range dirs {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("plugin.yaml", data)
		if err != nil {
			var es diag.List
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error %v is not a list of problems", err)
			}
			for _, e := range es {
				if e.Pos.Line < 1 || e.Pos.Col < 1 || e.Msg == "" {
					t.Fatalf("problem without a position or message: %#v", e)
				}
			}
			return
		}
		if m.Requires.Core != nil && m.Requires.Core.C == nil {
			t.Fatal("requires.core without a parsed constraint")
		}
		for _, r := range m.Requires.Plugins {
			if !source.ValidName(r.Name) || r.Version != nil && r.Version.C == nil {
				t.Fatalf("bad plug requirement %+v", r)
			}
		}
		for _, c := range m.Conflicts {
			if !source.ValidName(c.Name) {
				t.Fatalf("bad conflict %+v", c)
			}
		}
		for k, s := range m.Settings {
			if s.HasDefault && !s.Type.Accepts(s.Default) {
				t.Fatalf("setting %q: default %#v is not a %s", k, s.Default, s.Type)
			}
			if s.HasDefault && s.Required {
				t.Fatalf("setting %q is required and has a default", k)
			}
		}
	})
}
