package treehash

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func hash(t *testing.T, dir string) string {
	t.Helper()
	h, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

var base = map[string]string{"go.mod": "module example.com/p\n", "p.go": "package p\n", "sub/s.go": "package sub\n"}

func TestDir(t *testing.T) {
	a := t.TempDir()
	write(t, a, base)
	want := hash(t, a)

	tests := []struct {
		name  string
		edit  func(t *testing.T, dir string)
		equal bool
	}{
		{"same content elsewhere, other times and modes", func(t *testing.T, dir string) {
			old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
			os.Chtimes(filepath.Join(dir, "p.go"), old, old)
			os.Chmod(filepath.Join(dir, "p.go"), 0o600)
		}, true},
		{"version control metadata and plugctl state", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{".git/HEAD": "ref\n", ".plugctl/gen/go.mod": "x"})
		}, true},
		{"a nested module", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"nested/go.mod": "module example.com/n\n", "nested/n.go": "package n\n"})
		}, true},
		{"a changed byte", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"p.go": "package p \n"})
		}, false},
		{"a new file", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"sub/new.go": ""})
		}, false},
		{"a renamed file", func(t *testing.T, dir string) {
			os.Rename(filepath.Join(dir, "sub/s.go"), filepath.Join(dir, "sub/t.go"))
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := filepath.Join(t.TempDir(), "deeper", "b")
			write(t, b, base)
			tt.edit(t, b)
			if got := hash(t, b); (got == want) != tt.equal {
				t.Errorf("hash %s, base %s: want equal=%v", got, want, tt.equal)
			}
		})
	}
}

func TestDirFollowsRootLink(t *testing.T) {
	a := t.TempDir()
	write(t, a, base)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(a, link); err != nil {
		t.Skip(err)
	}
	if hash(t, link) != hash(t, a) {
		t.Error("a link to a tree hashes differently from the tree")
	}
}
