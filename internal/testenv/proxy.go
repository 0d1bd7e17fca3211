package testenv

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	modzip "golang.org/x/mod/zip"
)

// The module trees of the test proxy live under testdata/proxy of this
// package, one directory per module version, named by the module path (as
// module.EscapePath writes it, one directory per path element) and the
// version after an "@":
//
//	testdata/proxy/example.com/metrics@v0.3.1/go.mod
//	testdata/proxy/example.com/metrics@v0.3.1/metrics.go
//	testdata/proxy/example.com/metrics/v2@v2.0.0/go.mod
//
// BuildProxy turns them into the files of the GOPROXY protocol
// (https://go.dev/ref/mod#goproxy-protocol), which the go command reads
// through a file:// URL exactly as it reads a proxy over HTTPS.

// ProxyTime is the commit time every tagged version of the test proxy
// reports; a pseudo-version reports its own.
var ProxyTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Proxy returns the file:// GOPROXY URL of a test proxy built from
// testdata/proxy into a temporary directory of t, removed when t ends. Use
// it with GOSUMDB=off: the test modules are in no checksum database.
func Proxy(t testing.TB) string {
	t.Helper()
	src := filepath.Join(RepoRoot(t), "internal", "testenv", "testdata", "proxy")
	dst := t.TempDir()
	if err := BuildProxy(src, dst); err != nil {
		t.Fatalf("building the test module proxy: %v", err)
	}
	return FileURL(dst)
}

// FileURL returns the file:// URL of the absolute path dir.
func FileURL(dir string) string {
	return "file://" + filepath.ToSlash(dir)
}

// BuildProxy writes a GOPROXY tree into dst from the module trees under src:
// for each module, @v/list (tagged versions, sorted), and per version
// .info, .mod and .zip; plus @latest for modules that have only
// pseudo-versions, where the go command needs it.
func BuildProxy(src, dst string) error {
	versions := map[string][]string{} // module path -> versions
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() || !strings.Contains(d.Name(), "@") {
			return nil
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		escPath, version, _ := strings.Cut(filepath.ToSlash(rel), "@")
		mod, err := module.UnescapePath(escPath)
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		m := module.Version{Path: mod, Version: version}
		if err := module.Check(mod, version); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		if err := addVersion(dst, m, path); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		versions[mod] = append(versions[mod], version)
		return filepath.SkipDir
	})
	if err != nil {
		return err
	}
	for mod, vs := range versions {
		esc, err := module.EscapePath(mod)
		if err != nil {
			return err
		}
		dir := filepath.Join(dst, filepath.FromSlash(esc), "@v")
		semver.Sort(vs)
		var list []string
		for _, v := range vs {
			if !module.IsPseudoVersion(v) {
				list = append(list, v)
			}
		}
		body := strings.Join(list, "\n")
		if body != "" {
			body += "\n"
		}
		if err := os.WriteFile(filepath.Join(dir, "list"), []byte(body), 0o644); err != nil {
			return err
		}
		if len(list) == 0 {
			info, err := os.ReadFile(filepath.Join(dir, vs[len(vs)-1]+".info"))
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, "..", "@latest"), info, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// addVersion writes the .info, .mod and .zip of m, made from the tree in dir.
func addVersion(dst string, m module.Version, dir string) error {
	esc, err := module.EscapePath(m.Path)
	if err != nil {
		return err
	}
	ev, err := module.EscapeVersion(m.Version)
	if err != nil {
		return err
	}
	out := filepath.Join(dst, filepath.FromSlash(esc), "@v")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, ev+".mod"), gomod, 0o644); err != nil {
		return err
	}
	when := ProxyTime
	if module.IsPseudoVersion(m.Version) {
		if when, err = module.PseudoVersionTime(m.Version); err != nil {
			return err
		}
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{m.Version, when})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, ev+".info"), info, 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(out, ev+".zip"))
	if err != nil {
		return err
	}
	if err := modzip.CreateFromDir(f, m, dir); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
