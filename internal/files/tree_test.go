package files

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadTree(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("site/b.txt", "b")
	write("site/a/z.txt", "z")
	write("site/.dot", "dot")
	write("outside.txt", "secret")
	if err := os.Mkdir(filepath.Join(dir, "site", "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("b.txt", filepath.Join(dir, "site", "c.txt")); err != nil {
		t.Skip("no symbolic links:", err)
	}
	site := filepath.Join(dir, "site")
	got, err := ReadTree(site, TreeLimits{MaxFiles: 10, MaxBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range got {
		names = append(names, f.Path+"="+string(f.Data))
	}
	if want := ".dot=dot a/z.txt=z b.txt=b c.txt=b"; strings.Join(names, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(names, " "), want)
	}

	tests := []struct {
		name  string
		setup func() func()
		l     TreeLimits
		msg   string
	}{
		{"link out", func() func() {
			p := filepath.Join(site, "leak")
			must(t, os.Symlink("../outside.txt", p))
			return func() { os.Remove(p) }
		}, TreeLimits{10, 100}, "leak is a symbolic link that leads out of the directory"},
		{"link to a directory", func() func() {
			p := filepath.Join(site, "loop")
			must(t, os.Symlink(".", p))
			return func() { os.Remove(p) }
		}, TreeLimits{10, 100}, "loop is a symbolic link to a directory (valid: regular files and directories, and links to files inside the directory)"},
		{"too many files", func() func() { return func() {} }, TreeLimits{3, 100}, "more than 3 files (the limit)"},
		{"too many bytes", func() func() { return func() {} }, TreeLimits{10, 4}, "its files are larger than 4 bytes together (the limit), at b.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			undo := tt.setup()
			defer undo()
			_, err := ReadTree(site, tt.l)
			var te *TreeError
			if !errors.As(err, &te) || te.Msg != tt.msg {
				t.Errorf("got %v, want %q", err, tt.msg)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
