package pack

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/plugctl/plugctl/internal/extract"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/modhash"
	"github.com/plugctl/plugctl/internal/signing"
	"github.com/plugctl/plugctl/internal/tarball"
)

// write makes the files of a tree: "-> TARGET" makes a symbolic link.
func write(t *testing.T, root string, tree map[string]string) {
	t.Helper()
	for name, data := range tree {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(data, "-> "); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const goMod = "module example.com/plugs/audit/v2\n\ngo 1.26\n"

// plug is a plug module with everything a module zip leaves out beside it.
func plug(t *testing.T) string {
	outside := filepath.Join(t.TempDir(), "outside.go")
	if err := os.WriteFile(outside, []byte("package outside\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "audit")
	write(t, dir, map[string]string{
		"go.mod":                    goMod,
		"go.sum":                    "example.com/x v1.0.0 h1:abc=\n",
		"plugin.yaml":               "description: Audits\nsettings:\n  level: {type: int, default: 1}\n",
		"audit.go":                  "package audit\n",
		"internal/log/log.go":       "package log\n",
		"testdata/x.txt":            "x",
		".git/HEAD":                 "ref: refs/heads/main\n",
		".git/config":               "[core]\n",
		"nested/go.mod":             "module example.com/nested\n",
		"nested/n.go":               "package nested\n",
		"vendor/modules.txt":        "# x\n",
		"vendor/example.com/x/x.go": "package x\n",
		"link.go":                   "-> audit.go",
		"outside.go":                "-> " + outside,
	})
	return dir
}

// packed is a module and its archive.
type packed struct {
	*Module
	*Archive
}

func pack(t *testing.T, dir string) ([]byte, packed) {
	t.Helper()
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	a, err := m.Write(context.Background(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), packed{m, a}
}

func TestWrite(t *testing.T) {
	dir := plug(t)
	data, a := pack(t, dir)
	sum := sha256.Sum256(data)
	if a.SHA256 != "sha256:"+hex.EncodeToString(sum[:]) || a.Size != int64(len(data)) {
		t.Errorf("SHA256 %s, size %d; the archive is %x, %d bytes", a.SHA256, a.Size, sum, len(data))
	}
	if a.Path != "example.com/plugs/audit/v2" || a.Dir != "audit" {
		t.Errorf("module %q, dir %q", a.Path, a.Dir)
	}
	wantFiles := []string{"audit.go", "go.mod", "go.sum", "internal/log/log.go", "plugin.yaml", "testdata/x.txt"}
	if !reflect.DeepEqual(a.Files, wantFiles) {
		t.Errorf("files %q, want %q", a.Files, wantFiles)
	}

	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() || zr.Comment != "" || zr.Extra != nil {
		t.Errorf("gzip header %+v", zr.Header)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeDir {
			continue
		}
		names = append(names, h.Name)
		if h.Typeflag != tar.TypeReg || h.Mode != 0o644 || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || !h.ModTime.Equal(tarball.Epoch) {
			t.Errorf("%s: header %+v", h.Name, h)
		}
		body, _ := io.ReadAll(tr)
		want, _ := os.ReadFile(filepath.Join(dir, strings.TrimPrefix(h.Name, "audit/")))
		if !bytes.Equal(body, want) {
			t.Errorf("%s holds %q, want %q", h.Name, body, want)
		}
	}
	var want []string
	for _, f := range wantFiles {
		want = append(want, "audit/"+f)
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("entries %q, want %q", names, want)
	}
}

// TestDeterministic packs the same module from another directory, with
// other modes and times: the bytes are the same.
func TestDeterministic(t *testing.T) {
	dir := plug(t)
	first, _ := pack(t, dir)
	again, _ := pack(t, dir)
	if !bytes.Equal(first, again) {
		t.Fatal("two packs of one directory differ")
	}
	other := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.CopyFS(other, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	filepath.Walk(other, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			os.Chmod(p, 0o755)
			os.Chtimes(p, later, later)
		}
		return err
	})
	moved, _ := pack(t, other)
	if !bytes.Equal(first, moved) {
		t.Fatal("packing a copy elsewhere, with other modes and times, gave other bytes")
	}
}

// TestRoundTrip extracts an archive as the archive kind does: the module
// read back has the hash of the module packed.
func TestRoundTrip(t *testing.T) {
	dir := plug(t)
	data, a := pack(t, dir)
	file := filepath.Join(t.TempDir(), "audit.tar.gz")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := extract.File(context.Background(), file, extract.TarGz, out, extract.Options{Limits: extract.Limits{MaxEntries: 100, MaxBytes: 1 << 20}}); err != nil {
		t.Fatal(err)
	}
	h := func(d string) string {
		s, err := modhash.Dir(d)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := s.Module(a.Path, "v2.0.0")
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	if got, want := h(filepath.Join(out, "audit")), h(dir); got != want {
		t.Errorf("extracted module %s, packed %s", got, want)
	}
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name string
		tree map[string]string
		want string
	}{
		{"no go.mod", map[string]string{"a.go": "package a\n"}, "DIR is not a Go module: it has no go.mod (a plug is packed from its module's root)"},
		{"no module line", map[string]string{"go.mod": "go 1.26\n"}, "DIR/go.mod: go.mod has no module line"},
		{"bad manifest", map[string]string{"go.mod": goMod, "plugin.yaml": "settings:\n  n: {type: integer}\n"}, `DIR/plugin.yaml:2:13: settings.n: unknown type "integer" (valid: string, bool, int, float, list, map, any)`},
		{"a name the go command refuses", map[string]string{"go.mod": goMod, "a\x01b.go": "x"}, "DIR is not a module a module zip can hold: hashing DIR: DIR/a\x01b.go: malformed file path \"a\\x01b.go\": invalid char '\\x01'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tt.tree)
			_, err := Load(dir)
			want := strings.ReplaceAll(tt.want, "DIR", dir)
			if err == nil || err.Error() != want {
				t.Errorf("error:\ngot  %v\nwant %s", err, want)
			}
			if fail.KindOf(err) != fail.Config {
				t.Errorf("kind %v, want config", fail.KindOf(err))
			}
		})
	}
}

func TestSignature(t *testing.T) {
	dir := t.TempDir()
	gen := func(name string) (*signing.Key, *signing.Keys) {
		path := filepath.Join(dir, name+".key")
		if _, _, err := signing.Generate(path, name); err != nil {
			t.Fatal(err)
		}
		k, err := signing.LoadKey(path)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := signing.LoadKeys([]string{path + signing.PubSuffix})
		if err != nil {
			t.Fatal(err)
		}
		return k, keys
	}
	release, releaseKeys := gen("release")
	_, otherKeys := gen("other")
	const sum = "sha256:0123456789012345678901234567890123456789012345678901234567890123"
	sig, err := Sign(sum, "example.com/audit", release)
	if err != nil {
		t.Fatal(err)
	}
	if !IsSignature(sig) || !strings.HasPrefix(string(sig), SignedText(sum, "example.com/audit")) {
		t.Fatalf("signature %q", sig)
	}
	again, _ := Sign(sum, "example.com/audit", release)
	if !bytes.Equal(sig, again) {
		t.Error("two signatures of one archive differ")
	}

	s, err := CheckSignature("a.sig", sig, sum, releaseKeys)
	if err != nil || s.Module != "example.com/audit" || !reflect.DeepEqual(s.Verified, []string{release.ID()}) {
		t.Fatalf("CheckSignature = %+v, %v", s, err)
	}
	if s, err := CheckSignature("a.sig", sig, sum, nil); err != nil || len(s.Verified) != 0 || !reflect.DeepEqual(s.Unverified, []string{release.ID()}) {
		t.Errorf("without keys: %+v, %v", s, err)
	}
	altered := bytes.Replace(sig, []byte("archive sha256:0"), []byte("archive sha256:1"), 1)
	otherSum := "sha256:1" + sum[len("sha256:0"):]
	for _, tt := range []struct {
		name string
		data []byte
		sum  string
		keys *signing.Keys
		want string
	}{
		{"another key", sig, sum, otherKeys, fmt.Sprintf("a.sig is signed by %s, not by a key given with --verify-key (%s)", release.ID(), otherKeys.IDs[0])},
		{"another archive", sig, otherSum, releaseKeys, "a.sig signs the archive " + sum + ", but the archive beside it is " + otherSum + ": it was packed again, or altered, after it was signed"},
		{"altered", altered, otherSum, releaseKeys, "a.sig: the signature by " + release.ID() + " does not verify: the file was altered"},
		{"not a note", []byte("hello\n"), sum, releaseKeys, "a.sig is not a signed note (malformed note)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CheckSignature("a.sig", tt.data, tt.sum, tt.keys)
			if err == nil || err.Error() != tt.want || fail.KindOf(err) != fail.Mismatch {
				t.Errorf("error:\ngot  %v\nwant %s", err, tt.want)
			}
		})
	}
}

// TestWriteChanged changes a file between Load and Write: the pack fails.
func TestWriteChanged(t *testing.T) {
	dir := plug(t)
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "audit.go"), []byte("package audit // changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = m.Write(context.Background(), io.Discard)
	want := filepath.Join(dir, "audit.go") + " changed while it was packed: pack again once nothing writes to the module"
	if err == nil || err.Error() != want {
		t.Errorf("error:\ngot  %v\nwant %s", err, want)
	}
}
