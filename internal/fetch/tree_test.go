package fetch

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"

	"github.com/plugctl/plugctl/internal/testenv"
)

// TestHashDir checks HashDir against the hash of a module zip made from the
// same directory with golang.org/x/mod/zip, and against the go command's
// own go.sum line for that zip served from a file:// proxy.
func TestHashDir(t *testing.T) {
	const path, version = "example.com/hashme", "v1.0.0"
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":                  "module example.com/hashme\n\ngo 1.22\n",
		"a.go":                    "package hashme\n",
		"sub/b.go":                "package sub\n",
		"testdata/x.txt":          "data\n",
		".git/config":             "[core]\n",        // VCS directory: left out
		"nested/go.mod":           "module other\n",  // another module: left out
		"nested/n.go":             "package other\n", // with it
		"vendor/modules.txt":      "# vendored\n",
		"vendor/example.org/v.go": "package v\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("a.go", filepath.Join(dir, "link.go")); err != nil { // not regular: left out
		t.Fatal(err)
	}

	got, err := HashDir(dir, path, version)
	if err != nil {
		t.Fatal(err)
	}

	proxy := t.TempDir()
	at := filepath.Join(proxy, path, "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	zf, err := os.Create(filepath.Join(at, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	if err := modzip.CreateFromDir(zf, module.Version{Path: path, Version: version}, dir); err != nil {
		t.Fatal(err)
	}
	if err := zf.Close(); err != nil {
		t.Fatal(err)
	}
	zipHash, err := dirhash.HashZip(zf.Name(), dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	if got != zipHash {
		t.Errorf("HashDir = %s, the module zip hashes to %s", got, zipHash)
	}

	for name, content := range map[string]string{
		"list":            version + "\n",
		version + ".info": `{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}`,
		version + ".mod":  files["go.mod"],
	} {
		if err := os.WriteFile(filepath.Join(at, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "mod", "download", "-json", path+"@"+version)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(),
		"GOPROXY=file://"+proxy, "GOSUMDB=off", "GONOSUMDB=", "GOPRIVATE=", "GOFLAGS=-modcacherw",
		"GOMODCACHE="+testenv.ModCache(t), "GOTOOLCHAIN=local", "GOWORK=off", "GO111MODULE=on")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download: %v\n%s", err, out)
	}
	var d struct{ Sum, Error string }
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	if d.Sum != got {
		t.Errorf("HashDir = %s, go mod download says %s (%s)", got, d.Sum, d.Error)
	}

	// The version is part of every hashed name.
	other, err := HashDir(dir, path, "v1.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if other == got {
		t.Error("HashDir ignores the version")
	}
	if _, err := HashDir(dir, path, "v2.0.0"); err == nil {
		t.Error("HashDir accepted v2.0.0 for a path without /v2")
	}
}
