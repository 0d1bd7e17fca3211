package modshape

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/plugctl/plugctl/internal/modhash"
)

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, dir string) *Shape {
	t.Helper()
	sums, err := modhash.Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := Read(sums)
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

// TestShape: the digest changes with go.mod, an import, a build constraint
// or a Go file that comes, never with a body, a comment or a test.
func TestShape(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "go.mod", "module example.com/p\n\ngo 1.22\n")
	write(t, dir, "p.go", "package p\n\nimport \"example.com/q\"\n\nfunc F() int { return q.N }\n")
	write(t, dir, "testdata/x.go", "package x\n\nimport \"example.com/never\"\n")
	base := read(t, dir)
	if want := []string{"example.com/q"}; !slices.Equal(base.Imports, want) {
		t.Errorf("imports %q, want %q", base.Imports, want)
	}
	same := []struct{ name, file, data string }{
		{"body", "p.go", "package p\n\nimport \"example.com/q\"\n\n// F is q.N plus one.\nfunc F() int { return q.N + 1 }\n"},
		{"test", "p_test.go", "package p\n\nimport \"example.com/t\"\n"},
		{"testdata", "testdata/y.go", "package y\n\nimport \"example.com/other\"\n"},
	}
	for _, tt := range same {
		write(t, dir, tt.file, tt.data)
		if got := read(t, dir); got.Digest != base.Digest {
			t.Errorf("%s: the digest changed", tt.name)
		}
	}
	changed := []struct{ name, file, data string }{
		{"go.mod", "go.mod", "module example.com/p\n\ngo 1.22\n\nrequire example.com/q v1.0.0\n"},
		{"import", "p.go", "package p\n\nimport (\n\t\"example.com/q\"\n\t\"example.com/r\"\n)\n\nfunc F() int { return q.N + r.N }\n"},
		{"constraint", "p.go", "//go:build linux\n\npackage p\n\nimport (\n\t\"example.com/q\"\n\t\"example.com/r\"\n)\n\nfunc F() int { return q.N + r.N }\n"},
		{"new file", "sub/s.go", "package sub\n"},
	}
	prev := base.Digest
	for _, tt := range changed {
		write(t, dir, tt.file, tt.data)
		got := read(t, dir)
		if got.Digest == prev {
			t.Errorf("%s: the digest did not change", tt.name)
		}
		prev = got.Digest
	}
	if got := read(t, dir).Imports; !slices.Equal(got, []string{"example.com/q", "example.com/r"}) {
		t.Errorf("imports %q", got)
	}
}
