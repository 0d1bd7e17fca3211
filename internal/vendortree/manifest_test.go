package vendortree

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/modhash"
	"github.com/plugctl/plugctl/internal/testenv"
)

// tree writes a small vendor tree with its manifest and returns its root.
func tree(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vendor")
	files := map[string]string{
		"go.mod":                          "module plugctl.build/x\n",
		"main.go":                         "package main\n\nfunc main() {}\n",
		"src/core/go.mod":                 "module example.com/core\n",
		"src/core/run.sh":                 "#!/bin/sh\n",
		"vendor/example.com/core/core.go": "package core\n",
		"vendor/modules.txt":              "# example.com/core v0.0.0 => ./src/core\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := Normalize(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, &Manifest{Toolchain: "go1.26.8", Name: "x", Core: Component{Name: "core", Kind: "local"}}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestVerifyIntact(t *testing.T) {
	dir := tree(t)
	m, data, err := Verify(dir)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if len(m.Files) != 6 {
		t.Errorf("manifest lists %d files, want 6", len(m.Files))
	}
	for i := 1; i < len(m.Files); i++ {
		if m.Files[i-1].Path >= m.Files[i].Path {
			t.Errorf("files not sorted: %q before %q", m.Files[i-1].Path, m.Files[i].Path)
		}
	}
	var exec []string
	for _, f := range m.Files {
		if f.Exec {
			exec = append(exec, f.Path)
		}
	}
	if strings.Join(exec, " ") != "src/core/run.sh" {
		t.Errorf("executable files = %v, want [src/core/run.sh]", exec)
	}
	// Writing the manifest of the same tree again gives the same bytes.
	again, err := Write(dir, &Manifest{Toolchain: "go1.26.8", Name: "x", Core: Component{Name: "core", Kind: "local"}})
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(data) {
		t.Errorf("manifest not deterministic:\n%s\n---\n%s", data, again)
	}
}

// TestVerifyTampered damages a tree in every way the contract names and
// checks that Verify refuses it with a Mismatch naming the file.
func TestVerifyTampered(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string)
		path   string
		what   string
	}{
		{"edited", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "vendor/example.com/core/core.go"), "package cor\n\n") // same size
		}, "vendor/example.com/core/core.go", "was edited"},
		{"truncated", func(t *testing.T, dir string) {
			must(t, os.Truncate(filepath.Join(dir, "main.go"), 5))
		}, "main.go", "was truncated (5 bytes, want 29)"},
		{"extended", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "go.mod"), "module plugctl.build/x\nrequire evil.com/x v1.0.0\n")
		}, "go.mod", "was extended"},
		{"added", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "vendor/example.com/core/evil.go"), "package core\n")
		}, "vendor/example.com/core/evil.go", "was added (not in the manifest)"},
		{"added empty directory", func(t *testing.T, dir string) {
			must(t, os.Mkdir(filepath.Join(dir, "vendor/example.com/evil"), 0o755))
		}, "vendor/example.com/evil", "was added (a directory the manifest does not list)"},
		{"removed", func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, "vendor/modules.txt")))
		}, "vendor/modules.txt", "is missing"},
		{"made executable", func(t *testing.T, dir string) {
			must(t, os.Chmod(filepath.Join(dir, "main.go"), 0o755))
		}, "main.go", "was made executable"},
		{"lost executable bit", func(t *testing.T, dir string) {
			must(t, os.Chmod(filepath.Join(dir, "src/core/run.sh"), 0o644))
		}, "src/core/run.sh", "lost its executable bit"},
		{"symlink swap", func(t *testing.T, dir string) {
			// The link points at a file with the very same content.
			p := filepath.Join(dir, "vendor/example.com/core/core.go")
			copyTo := filepath.Join(t.TempDir(), "core.go")
			data, err := os.ReadFile(p)
			must(t, err)
			write(t, copyTo, string(data))
			must(t, os.Remove(p))
			must(t, os.Symlink(copyTo, p))
		}, "vendor/example.com/core/core.go", "is a symbolic link"},
		{"directory swap", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "main.go")
			must(t, os.Remove(p))
			must(t, os.Mkdir(p, 0o755))
		}, "main.go", "is a directory, want a regular file"},
		{"named pipe", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "main.go")
			must(t, os.Remove(p))
			testenv.Mkfifo(t, p)
		}, "main.go", "is a named pipe, want a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tree(t)
			tt.damage(t, dir)
			_, _, err := Verify(dir)
			if fail.KindOf(err) != fail.Mismatch {
				t.Fatalf("Verify = %v (kind %d), want a Mismatch", err, fail.KindOf(err))
			}
			var me *MismatchError
			if !errors.As(err, &me) {
				t.Fatalf("Verify = %v, want a *MismatchError", err)
			}
			if len(me.Problems) != 1 || me.Problems[0].Path != tt.path || !strings.HasPrefix(me.Problems[0].What, tt.what) {
				t.Errorf("problems = %+v, want one: %s: %s…", me.Problems, tt.path, tt.what)
			}
			if !strings.Contains(err.Error(), tt.path+": "+tt.what) {
				t.Errorf("error %q does not name %s", err, tt.path)
			}
		})
	}
}

func TestVerifyManifest(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string)
		want   string
	}{
		{"missing tree", func(t *testing.T, dir string) { must(t, os.RemoveAll(dir)) }, "no vendor tree at"},
		{"missing manifest", func(t *testing.T, dir string) { must(t, os.Remove(filepath.Join(dir, ManifestName))) }, "has no plugctl-vendor.json"},
		{"manifest not JSON", func(t *testing.T, dir string) { write(t, filepath.Join(dir, ManifestName), "{") }, "unexpected EOF"},
		{"unknown field", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, ManifestName), `{"schema":1,"extra":true}`)
		}, `unknown field "extra"`},
		{"path escapes", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, ManifestName), `{"schema":1,"files":[{"path":"../x","size":0,"sha256":"`+strings.Repeat("0", 64)+`"}]}`)
		}, `invalid path "../x"`},
		{"unsorted", func(t *testing.T, dir string) {
			f := `{"path":"%s","size":0,"sha256":"` + strings.Repeat("0", 64) + `"}`
			write(t, filepath.Join(dir, ManifestName), `{"schema":1,"files":[`+strings.Replace(f, "%s", "b", 1)+","+strings.Replace(f, "%s", "a", 1)+`]}`)
		}, "not sorted"},
		{"future schema", func(t *testing.T, dir string) { write(t, filepath.Join(dir, ManifestName), `{"schema":2}`) }, "unsupported schema 2"},
		{"manifest symlink", func(t *testing.T, dir string) {
			p := filepath.Join(dir, ManifestName)
			must(t, os.Rename(p, p+".real"))
			must(t, os.Symlink(p+".real", p))
		}, "is not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tree(t)
			tt.damage(t, dir)
			_, _, err := Verify(dir)
			if fail.KindOf(err) != fail.Mismatch || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Verify = %v (kind %d), want a Mismatch containing %q", err, fail.KindOf(err), tt.want)
			}
		})
	}
}

func TestCopyModule(t *testing.T) {
	src := t.TempDir()
	for name, content := range map[string]string{
		"go.mod":              "module example.com/m\n",
		"m.go":                "package m\n",
		"tool.sh":             "#!/bin/sh\n",
		".git/config":         "[core]\n",
		"nested/go.mod":       "module example.com/m/nested\n",
		"nested/n.go":         "package nested\n",
		"sub/s.go":            "package sub\n",
		".plugctl/vendor/x":   "state\n",
		"sub/testdata/in.txt": "data\n",
	} {
		write(t, filepath.Join(src, filepath.FromSlash(name)), content)
	}
	must(t, os.Chmod(filepath.Join(src, "tool.sh"), 0o700))
	must(t, os.Symlink("m.go", filepath.Join(src, "link.go")))     // read by go as m.go's content
	must(t, os.Symlink("sub", filepath.Join(src, "subdir")))       // a directory link: left out
	must(t, os.Symlink("missing", filepath.Join(src, "dangling"))) // nothing to copy
	write(t, filepath.Join(src, "skipped/x.go"), "package skipped\n")
	dst := filepath.Join(t.TempDir(), "copy")
	skipped := filepath.Join(src, "skipped")
	sums, err := modhash.Dir(src)
	must(t, err)
	if err := CopyModule(sums, dst, func(d string) bool { return d == skipped }); err != nil {
		t.Fatal(err)
	}
	files, err := Scan(dst)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		s := f.Path
		if f.Exec {
			s += "*"
		}
		got = append(got, s)
	}
	want := "go.mod link.go m.go sub/s.go sub/testdata/in.txt tool.sh*"
	if strings.Join(got, " ") != want {
		t.Errorf("copied %v, want %s", got, want)
	}
	fi, err := os.Stat(filepath.Join(dst, "tool.sh"))
	must(t, err)
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("tool.sh has mode %v, want 0755", fi.Mode().Perm())
	}
	// The copy has the source's content hash, "skipped" aside.
	must(t, os.RemoveAll(skipped))
	want1, err := contentHash(src)
	must(t, err)
	got1, err := contentHash(dst)
	must(t, err)
	if got1 != want1 {
		t.Errorf("content hash of the copy = %s, of the source %s", got1, want1)
	}

	// A source that changed since it was hashed is not copied.
	write(t, filepath.Join(src, "m.go"), "package m // changed\n")
	err = CopyModule(sums, filepath.Join(t.TempDir(), "copy"), nil)
	if err == nil || !strings.Contains(err.Error(), "changed while plugctl was reading the source") {
		t.Errorf("CopyModule of a changed source = %v", err)
	}
}

func contentHash(dir string) (string, error) {
	s, err := modhash.Dir(dir)
	if err != nil {
		return "", err
	}
	return s.Content()
}

func write(t *testing.T, name, content string) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(name), 0o755))
	must(t, os.WriteFile(name, []byte(content), 0o644))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
