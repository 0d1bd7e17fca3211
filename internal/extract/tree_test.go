package extract

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestCheckTree(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		setup func(dir string) error
		l     Limits
		want  string // "" for accepted
	}{
		{"files and an inner link", func(dir string) error {
			if err := os.MkdirAll(filepath.Join(dir, "a/b"), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, "a/b/f.go"), []byte("package b\n"), 0o644); err != nil {
				return err
			}
			return os.Symlink("b/f.go", filepath.Join(dir, "a/link.go"))
		}, Limits{}, ""},
		{"absolute link out", func(dir string) error {
			return os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "s"))
		}, Limits{}, `symbolic link "s" leads outside the tree`},
		{"relative link out", func(dir string) error {
			return os.Symlink("../../"+filepath.Base(outside)+"/secret", filepath.Join(dir, "s"))
		}, Limits{}, `symbolic link "s" leads outside the tree`},
		{"dangling link", func(dir string) error {
			return os.Symlink("missing", filepath.Join(dir, "s"))
		}, Limits{}, `symbolic link "s" points to nothing`},
		{"too many entries", func(dir string) error {
			for _, n := range []string{"a", "b", "c"} {
				if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
					return err
				}
			}
			return nil
		}, Limits{MaxEntries: 2}, "more than 2 files and directories"},
		{"too many bytes", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "big"), make([]byte, 100), 0o644)
		}, Limits{MaxBytes: 99}, "files of more than 99 bytes in all"},
		{"control character", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "a\nb"), nil, 0o644)
		}, Limits{}, "has a control character in its name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := tt.setup(dir); err != nil {
				t.Fatal(err)
			}
			err := CheckTree(dir, tt.l)
			var xe *Error
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want == "":
			case err == nil:
				t.Fatalf("accepted, want %q", tt.want)
			case !errors.As(err, &xe) || !strings.Contains(err.Error(), tt.want):
				t.Fatalf("error %v (%T), want an *Error with %q", err, err, tt.want)
			}
		})
	}
}
