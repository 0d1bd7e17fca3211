package vendortree

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/fail"
)

func TestSnapshot(t *testing.T) {
	dir := tree(t)
	m, _, err := Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	// What is added to the tree after it was verified is not copied.
	if err := os.WriteFile(filepath.Join(dir, "extra.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "build")
	if err := os.Mkdir(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Snapshot(dir, m, dst); err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	got := map[string]fs.FileMode{}
	err = filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dst {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dst, p)
		got[filepath.ToSlash(rel)] = fi.Mode()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		mode, ok := got[f.Path]
		if !ok {
			t.Errorf("%s was not copied", f.Path)
			continue
		}
		want := fs.FileMode(0o444)
		if f.Exec {
			want = 0o555
		}
		if mode != want {
			t.Errorf("%s: mode %v, want %v (read-only)", f.Path, mode, want)
		}
		data, err := os.ReadFile(filepath.Join(dst, filepath.FromSlash(f.Path)))
		orig, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil || string(data) != string(orig) {
			t.Errorf("%s: copy differs (%v)", f.Path, err)
		}
		delete(got, f.Path)
	}
	for p, mode := range got {
		if !mode.IsDir() {
			t.Errorf("%s was copied, but the manifest does not list it", p)
		} else if mode.Perm() != 0o700 {
			t.Errorf("%s: mode %v, want 0700", p, mode)
		}
	}
}

func TestSnapshotRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, dir string)
		want   string
	}{
		{"edited", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() {}\n/* */\n")
		}, "main.go: was extended"},
		{"same size", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() {{\n")
		}, "main.go: was edited (sha256 "},
		{"truncated", func(t *testing.T, dir string) { write(t, filepath.Join(dir, "main.go"), "package main\n") }, "main.go: was truncated (13 bytes, want 29)"},
		{"removed", func(t *testing.T, dir string) { must(t, os.Remove(filepath.Join(dir, "vendor/modules.txt"))) }, "vendor/modules.txt: is missing"},
		{"link", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "go.mod")
			must(t, os.Rename(p, p+".orig"))
			must(t, os.Symlink(p+".orig", p))
		}, `go.mod: is a symbolic link (to "`},
		{"executable", func(t *testing.T, dir string) { must(t, os.Chmod(filepath.Join(dir, "main.go"), 0o755)) }, "main.go: was made executable"},
		{"directory", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "main.go")
			must(t, os.Remove(p))
			must(t, os.Mkdir(p, 0o755))
		}, "main.go: is a directory, want a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tree(t)
			m, _, err := Verify(dir)
			if err != nil {
				t.Fatal(err)
			}
			tc.change(t, dir)
			dst := t.TempDir()
			err = Snapshot(dir, m, dst)
			var mm *MismatchError
			if !errors.As(err, &mm) || fail.KindOf(err) != fail.Mismatch {
				t.Fatalf("Snapshot: %v, want a mismatch", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}
