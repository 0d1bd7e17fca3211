package files

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "sub", "f.txt")
	if err := WriteFile(name, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(name, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(name)
	fi, _ := os.Stat(name)
	if string(got) != "two" || fi.Mode().Perm() != 0o600 {
		t.Errorf("got %q mode %v", got, fi.Mode())
	}
	left, _ := filepath.Glob(filepath.Join(dir, "sub", ".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestReplaceDirAndSweep(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "tree")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "old"), nil, 0o644)
	// Leftovers of a killed run are swept by the next TempDir.
	os.MkdirAll(filepath.Join(parent, ".tree.tmp-123"), 0o755)
	os.MkdirAll(filepath.Join(parent, ".tree.old-456"), 0o755)
	tmp, err := TempDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(tmp, "new"), nil, 0o644)
	if err := ReplaceDir(tmp, dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 || entries[0].Name() != "tree" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("parent holds %v, want only tree", names)
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); err != nil {
		t.Error("new tree not in place")
	}
	if _, err := os.Stat(filepath.Join(dir, "old")); err == nil {
		t.Error("old tree still in place")
	}
}
