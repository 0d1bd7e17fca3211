package modhash

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"

	"github.com/plugctl/plugctl/internal/testenv"
)

// The oracles are the hashes as plugctl computed them before this package,
// each tree read on its own: the module hash with golang.org/x/mod/zip's
// CheckDir and dirhash.Hash1, the content hash by its own walk. Sums must
// give the same strings, and the same errors.

// oracleModule is the module hash of dir at mod@version as zip.CheckDir
// lists the files and dirhash.Hash1 hashes them.
func oracleModule(dir, mod, version string) (string, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	if err := module.Check(mod, version); err != nil {
		return "", err
	}
	abs, err := filepath.Abs(real)
	if err != nil {
		return "", err
	}
	cf, err := modzip.CheckDir(abs)
	if err != nil {
		return "", fmt.Errorf("hashing %s: %w", real, err)
	}
	prefix := mod + "@" + version + "/"
	names := make([]string, len(cf.Valid))
	paths := map[string]string{}
	for i, p := range cf.Valid {
		rel, err := filepath.Rel(abs, p)
		if err != nil {
			return "", err
		}
		names[i] = prefix + filepath.ToSlash(rel)
		paths[names[i]] = p
	}
	return dirhash.Hash1(names, func(name string) (io.ReadCloser, error) { return os.Open(paths[name]) })
}

// oracleContent is the content hash of dir as plugctl's treehash computed
// it.
func oracleContent(dir string) (string, error) {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("hashing %s: %w", dir, err)
	}
	skip := map[string]bool{".git": true, ".hg": true, ".svn": true, ".bzr": true, ".plugctl": true}
	var names []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == root {
			return nil
		}
		if d.IsDir() {
			if skip[d.Name()] {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			fi, err := os.Stat(path)
			if err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hashing %s: %w", dir, err)
	}
	sort.Strings(names)
	h, err := dirhash.Hash1(names, func(name string) (io.ReadCloser, error) {
		return os.Open(filepath.Join(root, filepath.FromSlash(name)))
	})
	if err != nil {
		return "", fmt.Errorf("hashing %s: %w", dir, err)
	}
	return h, nil
}

// write makes files under root: a value "-> target" makes a symbolic link,
// "/" a directory.
func write(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case content == "/":
			err = os.MkdirAll(p, 0o755)
		case strings.HasPrefix(content, "-> "):
			err = os.Symlink(strings.TrimPrefix(content, "-> "), p)
		default:
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// same checks Sums of dir against the oracles at a few versions.
func same(t *testing.T, dir string, keep ...string) *Sums {
	t.Helper()
	s, err := Dir(dir, keep...)
	if err != nil {
		t.Fatal(err)
	}
	for _, mv := range []module.Version{{Path: "example.com/m", Version: "v0.0.0"}, {Path: "example.com/m", Version: "v1.2.3"}, {Path: "example.com/m/v2", Version: "v2.0.1-0.20240102030405-abcdefabcdef"}, {Path: "example.com/m", Version: "v2.0.0"}} {
		got, gerr := s.Module(mv.Path, mv.Version)
		want, werr := oracleModule(dir, mv.Path, mv.Version)
		if got != want || fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Errorf("Module(%s) = %q, %v\nwant %q, %v", mv, got, gerr, want, werr)
		}
	}
	got, gerr := s.Content()
	want, werr := oracleContent(dir)
	if got != want || fmt.Sprint(gerr) != fmt.Sprint(werr) {
		t.Errorf("Content = %q, %v\nwant %q, %v", got, gerr, want, werr)
	}
	files, ferr := s.ModuleFiles()
	wantFiles, wferr := oracleFiles(dir)
	if !slices.Equal(files, wantFiles) || (ferr == nil) != (wferr == nil) {
		t.Errorf("ModuleFiles = %q, %v\nwant %q, %v", files, ferr, wantFiles, wferr)
	}
	return s
}

// oracleFiles lists the files of dir a module zip holds, as zip.CheckDir
// lists them: slash-separated, relative, sorted.
func oracleFiles(dir string) ([]string, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(real)
	if err != nil {
		return nil, err
	}
	cf, err := modzip.CheckDir(abs)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, p := range cf.Valid {
		rel, err := filepath.Rel(abs, p)
		if err != nil {
			return nil, err
		}
		names = append(names, filepath.ToSlash(rel))
	}
	slices.Sort(names)
	return names, nil
}

const goMod = "module example.com/m\n\ngo 1.22\n"

func TestSumsAgreeWithTheOracles(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "outside.go")
	if err := os.WriteFile(outside, []byte("package outside\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"plain module", map[string]string{"go.mod": goMod, "m.go": "package m\n", "sub/s.go": "package sub\n", "LICENSE": "MIT\n", "testdata/x.txt": "x"}},
		{"empty directory", map[string]string{}},
		{"no go.mod", map[string]string{"a.go": "package a\n"}},
		{"version control", map[string]string{"go.mod": goMod, ".git/HEAD": "ref\n", ".hg/x": "x", ".svn/y": "y", ".bzr/z": "z", "sub/.git/config": "c", ".gitignore": "x\n"}},
		{"plugctl state", map[string]string{"go.mod": goMod, ".plugctl/src/geo.json": "{}", ".plugctl/gen/go.mod": "module plugctl.build/x\n", ".plugctl/gen/main.go": "package main\n", "sub/.plugctl/x": "x"}},
		{"nested modules", map[string]string{"go.mod": goMod, "nested/go.mod": "module other\n", "nested/n.go": "package n\n", "deep/er/go.mod": "module deeper\n", "deep/d.go": "package deep\n"}},
		{"go.mod that is a directory", map[string]string{"go.mod": goMod, "odd/go.mod/x": "x", "odd/o.go": "package odd\n"}},
		{"go.mod that is a link", map[string]string{"go.mod": goMod, "linked/go.mod": "-> ../go.mod", "linked/l.go": "package linked\n"}},
		{"go.mod that is a dangling link", map[string]string{"go.mod": goMod, "dangling/go.mod": "-> nowhere", "dangling/d.go": "package dangling\n"}},
		{"GO.MOD in another case", map[string]string{"go.mod": goMod, "upper/GO.MOD": "module upper\n", "upper/u.go": "package upper\n"}},
		{"vendor before go 1.24", map[string]string{"go.mod": goMod, "vendor/modules.txt": "# x\n", "vendor/a.go": "package vendor\n", "vendor/example.org/v/v.go": "package v\n", "pkg/vendor/vendor.go": "package vendor\n", "pkg/vendor/x/x.go": "package x\n"}},
		{"vendor from go 1.24", map[string]string{"go.mod": "module example.com/m\n\ngo 1.24\n", "vendor/modules.txt": "# x\n", "vendor/a.go": "package vendor\n", "vendor/example.org/v/v.go": "package v\n", "pkg/vendor/vendor.go": "package vendor\n", "pkg/vendor/x/x.go": "package x\n"}},
		{"below a vendored package", map[string]string{"go.mod": goMod, "vendor/x/y/.git/config": "c", "vendor/x/y/go.mod": "module y\n", "vendor/x/y/y.go": "package y\n"}},
		{"links", map[string]string{"go.mod": goMod, "m.go": "package m\n", "inside.go": "-> m.go", "outside.go": "-> " + outside, "dir": "-> sub", "sub/s.go": "package sub\n", "dangling.go": "-> nowhere.go"}},
		{"root go.mod that is a link", map[string]string{"real.mod": goMod, "go.mod": "-> real.mod", "m.go": "package m\n"}},
		// The walk reads the go directive through the link, the zip rules
		// only from a regular go.mod: vendor/modules.txt is left out by the
		// first.
		{"root go.mod that is a link, and vendor", map[string]string{"real.mod": "module example.com/m\n\ngo 1.24\n", "go.mod": "-> real.mod", "vendor/modules.txt": "# x\n", "vendor/a.go": "package vendor\n"}},
		{"hg archival file", map[string]string{"go.mod": goMod, ".hg_archival.txt": "repo: x\n"}},
		{"names sorted across directories", map[string]string{"go.mod": goMod, "a/b.go": "package a\n", "a-c.go": "package m\n", "a.go": "package m\n", "a0/x": "x"}},
		{"names differing only in case", map[string]string{"go.mod": goMod, "a.go": "package m\n", "A.go": "package m\n"}},
		{"name the go command refuses", map[string]string{"go.mod": goMod, "bad\x01name.go": "x", "ok.go": "package m\n"}},
		{"name with a newline", map[string]string{"go.mod": goMod, "new\nline.txt": "x"}},
		{"go.mod in upper case at the root", map[string]string{"GO.MOD": goMod, "m.go": "package m\n"}},
		{"empty directories", map[string]string{"go.mod": goMod, "e": "/", "f/g": "/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tt.files)
			same(t, dir)
		})
	}
}

func TestSumsFollowARootLink(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"go.mod": goMod, "m.go": "package m\n"})
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Skip(err)
	}
	a, b := same(t, dir), same(t, link)
	ha, _ := a.Content()
	hb, _ := b.Content()
	if ha != hb {
		t.Error("a link to a tree hashes differently from the tree")
	}
	if b.Dir() != a.Dir() {
		t.Errorf("Dir through a link = %s, want %s", b.Dir(), a.Dir())
	}
}

// TestSumsRandomTrees compares Sums with the oracles on trees made of the
// names and kinds the rules treat specially, in random combinations.
func TestSumsRandomTrees(t *testing.T) {
	elems := []string{"a", "A", "b-c", "b", "vendor", ".git", ".plugctl", "go.mod", "GO.MOD", "modules.txt", "x.go", "LICENSE", ".hg_archival.txt", "z"}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		dir := t.TempDir()
		files := map[string]string{}
		if r.IntN(4) > 0 {
			files["go.mod"] = []string{goMod, "module example.com/m\n\ngo 1.24\n", "module example.com/m\n"}[r.IntN(3)]
		}
		for range 1 + r.IntN(12) {
			depth := 1 + r.IntN(4)
			var parts []string
			for range depth {
				parts = append(parts, elems[r.IntN(len(elems))])
			}
			name := strings.Join(parts, "/")
			switch r.IntN(8) {
			case 0:
				files[name] = "-> " + elems[r.IntN(len(elems))]
			case 1:
				files[name] = "/"
			default:
				files[name] = fmt.Sprintf("content %d of %s\n", r.IntN(3), name)
			}
		}
		// Drop what clashes: a file where another entry needs a directory.
		var names []string
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			for d := filepath.Dir(n); d != "."; d = filepath.Dir(d) {
				if v, ok := files[d]; ok && v != "/" {
					delete(files, n)
					break
				}
			}
		}
		write(t, dir, files)
		if t.Failed() {
			return
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) { same(t, dir) })
		if t.Failed() {
			t.Logf("tree: %q", files)
			return
		}
	}
}

// TestModuleIsTheZipHash checks Sums.Module against the hash of a module
// zip made from the same directory with golang.org/x/mod/zip, and against
// the go command's own go.sum line for that zip served from a file://
// proxy.
func TestModuleIsTheZipHash(t *testing.T) {
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
		"link.go":                 "-> a.go", // not regular: left out
	}
	write(t, dir, files)
	s := same(t, dir)
	got, err := s.Module(path, version)
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
		t.Errorf("Module = %s, the module zip hashes to %s", got, zipHash)
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
		t.Errorf("Module = %s, go mod download says %s (%s)", got, d.Sum, d.Error)
	}

	// The version is part of every hashed name.
	if other, err := s.Module(path, "v1.0.1"); err != nil || other == got {
		t.Errorf("Module at v1.0.1 = %s, %v: want another hash", other, err)
	}
	if _, err := s.Module(path, "v2.0.0"); err == nil {
		t.Error("Module accepted v2.0.0 for a path without /v2")
	}
}

func TestContent(t *testing.T) {
	base := map[string]string{"go.mod": "module example.com/p\n", "p.go": "package p\n", "sub/s.go": "package sub\n"}
	a := t.TempDir()
	write(t, a, base)
	want, err := same(t, a).Content()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		edit  func(t *testing.T, dir string)
		equal bool
	}{
		{"same content elsewhere, other modes", func(t *testing.T, dir string) {
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
		{"a vendored file", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"vendor/x/y/z.go": "package z\n"})
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := filepath.Join(t.TempDir(), "deeper", "b")
			write(t, b, base)
			tt.edit(t, b)
			got, err := same(t, b).Content()
			if err != nil {
				t.Fatal(err)
			}
			if (got == want) != tt.equal {
				t.Errorf("hash %s, base %s: want equal=%v", got, want, tt.equal)
			}
		})
	}
}

// TestOneOpenPerFile counts the opens of one Dir: each file of either set
// once, the root go.mod included, and nothing else.
func TestOneOpenPerFile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"go.mod":             goMod,
		"plugin.yaml":        "description: x\n",
		"m.go":               "package m\n",
		"sub/s.go":           "package sub\n",
		"vendor/modules.txt": "# x\n",
		"vendor/x/x.go":      "package x\n", // content set only
		".plugctl/state":     "x",           // module set only
		".git/HEAD":          "ref\n",       // neither
		"nested/go.mod":      "module n\n",  // neither
	})
	opens := map[string]int{}
	s, err := walk(dir, []string{"plugin.yaml"}, func(name string) (*os.File, error) {
		rel, _ := filepath.Rel(dir, name)
		opens[filepath.ToSlash(rel)]++
		return os.Open(name)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"go.mod": 1, "plugin.yaml": 1, "m.go": 1, "sub/s.go": 1, "vendor/modules.txt": 1, "vendor/x/x.go": 1, ".plugctl/state": 1}
	if fmt.Sprint(opens) != fmt.Sprint(want) {
		t.Errorf("opens = %v, want %v", opens, want)
	}
	// Every hash comes from those reads.
	if _, err := s.Module("example.com/m", "v1.0.0"); err != nil {
		t.Error(err)
	}
	if _, err := s.Content(); err != nil {
		t.Error(err)
	}
	if len(opens) != len(want) {
		t.Errorf("hashing opened files again: %v", opens)
	}
	for name, want := range map[string]string{"go.mod": goMod, "plugin.yaml": "description: x\n"} {
		if data, ok := s.Kept(name); !ok || !bytes.Equal(data, []byte(want)) {
			t.Errorf("Kept(%s) = %q, %v", name, data, ok)
		}
	}
	if _, ok := s.Kept("m.go"); ok {
		t.Error("kept a file nobody asked for")
	}
}

// The Go files importing a path asked for are kept whole, from the one
// read that hashed them: not the others, nor one larger than 64 KiB.
func TestKeepImporters(t *testing.T) {
	dir := t.TempDir()
	reg := "package a\n\nimport sdk \"example.com/sdk\"\n\nfunc init() { sdk.Register(\"a\") }\n"
	write(t, dir, map[string]string{
		"go.mod":   goMod,
		"a/a.go":   reg,
		"a/b.go":   "package a\n\nimport \"fmt\"\n\nvar _ = fmt.Sprint\n",
		"big/b.go": "package big\n\nimport _ \"example.com/sdk\"\n\n//" + strings.Repeat("x", maxHead) + "\n",
	})
	s, err := Dir(dir, Importers("example.com/sdk"))
	if err != nil {
		t.Fatal(err)
	}
	if data, ok := s.Kept("a/a.go"); !ok || string(data) != reg {
		t.Errorf("Kept(a/a.go) = %q, %v", data, ok)
	}
	for _, name := range []string{"a/b.go", "big/b.go"} {
		if _, ok := s.Kept(name); ok {
			t.Errorf("kept %s", name)
		}
	}
	if _, ok := s.GoHead("big/b.go"); !ok {
		t.Error("no head for big/b.go")
	}
}

func TestAt(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"go.mod": goMod, "a.go": "package m\n", "A.go": "package m\n"})
	s, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	m := s.At(moved)
	if m.Dir() != moved {
		t.Errorf("Dir = %s, want %s", m.Dir(), moved)
	}
	_, err = m.Module("example.com/m", "v0.0.0")
	if _, werr := oracleModule(moved, "example.com/m", "v0.0.0"); err == nil || err.Error() != werr.Error() {
		t.Errorf("Module after At = %v, want %v", err, werr)
	}
}
