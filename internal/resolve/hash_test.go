package resolve

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// HashDir must give the hash go.sum records for a module zip of the same
// directory, and ignore what such a zip leaves out.
func TestHashDirIsTheModuleHash(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"go.mod":        "module example.com/p\n\ngo 1.22\n",
		"p.go":          "package p\n",
		"sub/s.go":      "package sub\n",
		"LICENSE":       "MIT\n",
		".git/HEAD":     "ref: refs/heads/main\n",
		"nested/go.mod": "module example.com/p/nested\n",
		"nested/n.go":   "package nested\n",
	})
	got, err := HashDir(dir, "example.com/p", "v0.0.0")
	if err != nil {
		t.Fatal(err)
	}
	zf := filepath.Join(t.TempDir(), "p.zip")
	f, err := os.Create(zf)
	if err != nil {
		t.Fatal(err)
	}
	if err := modzip.CreateFromDir(f, module.Version{Path: "example.com/p", Version: "v0.0.0"}, dir); err != nil {
		t.Fatal(err)
	}
	f.Close()
	want, err := dirhash.HashZip(zf, dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("HashDir = %s, module zip hash = %s", got, want)
	}

	// Metadata and nested modules do not count; code does.
	write(t, dir, map[string]string{".git/HEAD": "ref: refs/heads/other\n", "nested/n.go": "package nested // changed\n"})
	if again, _ := HashDir(dir, "example.com/p", "v0.0.0"); again != got {
		t.Errorf("hash changed with .git or a nested module: %s != %s", again, got)
	}
	write(t, dir, map[string]string{"p.go": "package p // changed\n"})
	if again, _ := HashDir(dir, "example.com/p", "v0.0.0"); again == got {
		t.Error("hash did not change with the code")
	}
}

func TestHashDirFollowsALinkedDirectory(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"go.mod": "module example.com/p\n", "p.go": "package p\n"})
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Skip(err)
	}
	a, err := HashDir(dir, "example.com/p", "v0.0.0")
	if err != nil {
		t.Fatal(err)
	}
	b, err := HashDir(link, "example.com/p", "v0.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("through a link: %s, directly: %s", b, a)
	}
}
