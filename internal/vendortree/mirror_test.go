package vendortree

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"

	"github.com/plugctl/plugctl/internal/fail"
)

// fakeCache writes a module cache holding example.com/Mod v1.0.0 (a path
// that needs escaping) and returns it with go.sum's hashes of it.
func fakeCache(t *testing.T) (string, map[string]string) {
	t.Helper()
	cache := t.TempDir()
	dl := filepath.Join(cache, "cache", "download", "example.com", "!mod", "@v")
	if err := os.MkdirAll(dl, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod := []byte("module example.com/Mod\n")
	if err := os.WriteFile(filepath.Join(dl, "v1.0.0.mod"), gomod, 0o644); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{"go.mod": string(gomod), "m.go": "package m\n"} {
		w, err := zw.Create("example.com/!mod@v1.0.0/" + name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(dl, "v1.0.0.zip")
	if err := os.WriteFile(zipPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := dirhash.HashZip(zipPath, dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	hm, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(gomod)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return cache, map[string]string{"example.com/Mod v1.0.0": h, "example.com/Mod v1.0.0/go.mod": hm}
}

func TestMirror(t *testing.T) {
	cache, sums := fakeCache(t)
	tree := t.TempDir()
	if err := WriteMirror(tree, cache, []MirrorModule{{Path: "example.com/Mod", Version: "v1.0.0", Zip: true}}); err != nil {
		t.Fatal(err)
	}
	v := filepath.Join(tree, MirrorDir, "example.com", "!mod", "@v")
	for name, want := range map[string]string{"list": "v1.0.0\n", "v1.0.0.info": "{\"Version\":\"v1.0.0\"}\n"} {
		if got, err := os.ReadFile(filepath.Join(v, name)); err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
	if err := CheckMirror(tree, sums); err != nil {
		t.Errorf("CheckMirror of a mirror the sums describe: %v", err)
	}
	for name, bad := range map[string]map[string]string{
		"other hash": {"example.com/Mod v1.0.0": "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "example.com/Mod v1.0.0/go.mod": sums["example.com/Mod v1.0.0/go.mod"]},
		"not locked": {"example.com/Mod v1.0.0/go.mod": sums["example.com/Mod v1.0.0/go.mod"]},
	} {
		err := CheckMirror(tree, bad)
		if err == nil || fail.KindOf(err) != fail.Mismatch || !strings.Contains(err.Error(), "example.com/Mod@v1.0.0: v1.0.0.zip") {
			t.Errorf("%s: CheckMirror = %v, want a mismatch naming the zip", name, err)
		}
	}
}
