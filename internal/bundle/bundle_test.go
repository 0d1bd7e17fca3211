package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plugctl/plugctl/internal/fail"
)

// sources writes files into a fresh directory with the given mode and
// modification time and returns them as bundle Files.
func sources(t *testing.T, mode os.FileMode, mtime time.Time) []File {
	t.Helper()
	dir := t.TempDir()
	var files []File
	for name, content := range map[string]string{
		"plugconfig.yaml":        "schema: 1\n",
		"vendor/go.mod":          "module x\n",
		"vendor/src/a/run.sh":    "#!/bin/sh\n",
		"vendor/src/a.txt":       "a\n",
		"vendor/vendor/m/m.go":   "package m\n",
		"vendor/vendor/modules.": "# m\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		m := mode
		if strings.HasSuffix(name, ".sh") {
			m |= 0o100
		}
		must(t, os.WriteFile(p, []byte(content), m))
		must(t, os.Chmod(p, m))
		must(t, os.Chtimes(p, mtime, mtime))
		files = append(files, File{Name: name, Source: p})
	}
	return files
}

func TestWriteDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	must(t, Write(&a, sources(t, 0o644, time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC))))
	must(t, Write(&b, sources(t, 0o600, time.Now())))
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same files with other modes and times gave other bytes")
	}
	gz, err := gzip.NewReader(bytes.NewReader(a.Bytes()))
	must(t, err)
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("gzip header has name %q, time %v; want none", gz.Name, gz.ModTime)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		if h.ModTime.Unix() != 0 || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: header %+v carries time or owner", h.Name, h)
		}
		names = append(names, h.Name+" "+modeString(h.Mode))
	}
	want := []string{
		"plugctl-bundle/ 755",
		"plugctl-bundle/plugconfig.yaml 644",
		"plugctl-bundle/vendor/ 755",
		"plugctl-bundle/vendor/go.mod 644",
		"plugctl-bundle/vendor/src/ 755",
		"plugctl-bundle/vendor/src/a.txt 644",
		"plugctl-bundle/vendor/src/a/ 755",
		"plugctl-bundle/vendor/src/a/run.sh 755",
		"plugctl-bundle/vendor/vendor/ 755",
		"plugctl-bundle/vendor/vendor/m/ 755",
		"plugctl-bundle/vendor/vendor/m/m.go 644",
		"plugctl-bundle/vendor/vendor/modules. 644",
	}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
}

func modeString(m int64) string { return strconv.FormatInt(m, 8) }

func TestCreateUnpack(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site.tar.gz")
	sum, err := Create(out, sources(t, 0o644, time.Now()))
	must(t, err)
	side, err := os.ReadFile(out + SumSuffix)
	must(t, err)
	if string(side) != sum+"  site.tar.gz\n" {
		t.Errorf("checksum file = %q", side)
	}
	dir, err := Unpack(context.Background(), out, DefaultLimits)
	must(t, err)
	defer os.RemoveAll(dir)
	root := filepath.Join(dir, Root)
	data, err := os.ReadFile(filepath.Join(root, "vendor/vendor/m/m.go"))
	if err != nil || string(data) != "package m\n" {
		t.Errorf("unpacked m.go = %q, %v", data, err)
	}
	fi, err := os.Stat(filepath.Join(root, "vendor/src/a/run.sh"))
	must(t, err)
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("run.sh mode %v, want 0755", fi.Mode().Perm())
	}

	t.Run("damaged", func(t *testing.T) {
		data, err := os.ReadFile(out)
		must(t, err)
		data[len(data)/2] ^= 0xff
		bad := filepath.Join(t.TempDir(), "site.tar.gz")
		must(t, os.WriteFile(bad, data, 0o644))
		must(t, os.WriteFile(bad+SumSuffix, side, 0o644))
		_, err = Unpack(context.Background(), bad, DefaultLimits)
		if fail.KindOf(err) != fail.Mismatch || !strings.Contains(err.Error(), "checksum mismatch") {
			t.Errorf("Unpack = %v, want a checksum mismatch", err)
		}
	})
	t.Run("no checksum file", func(t *testing.T) {
		data, err := os.ReadFile(out)
		must(t, err)
		lone := filepath.Join(t.TempDir(), "site.tar.gz")
		must(t, os.WriteFile(lone, data, 0o644))
		_, err = Unpack(context.Background(), lone, DefaultLimits)
		if fail.KindOf(err) != fail.Mismatch || !strings.Contains(err.Error(), "has no checksum file") {
			t.Errorf("Unpack = %v, want a missing checksum file", err)
		}
	})
}

type entry struct {
	hdr  tar.Header
	body string
}

func archive(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := e.hdr
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		must(t, tw.WriteHeader(&h))
		if e.body != "" {
			_, err := tw.Write([]byte(e.body))
			must(t, err)
		}
	}
	must(t, tw.Close())
	must(t, gz.Close())
	return buf.Bytes()
}

func file(name, body string) entry {
	return entry{tar.Header{Typeflag: tar.TypeReg, Name: name}, body}
}

// TestUnpackHostile unpacks bundles with a valid checksum file and a
// hostile content: each is refused, as a mismatch, and nothing is left in
// TMPDIR.
func TestUnpackHostile(t *testing.T) {
	small := Limits{MaxEntries: 4, MaxBytes: 10}
	tests := []struct {
		name    string
		entries []entry
		lim     Limits
		want    string
	}{
		{"absolute", []entry{file("/plugctl-bundle/x", "x")}, DefaultLimits, `entry "/plugctl-bundle/x" has an absolute path`},
		{"dot dot", []entry{file("plugctl-bundle/../x", "x")}, DefaultLimits, `entry "plugctl-bundle/../x" escapes the archive's directory ("..")`},
		{"dot dot deep", []entry{file("plugctl-bundle/a/../../../etc/x", "x")}, DefaultLimits, `escapes the archive's directory ("..")`},
		{"outside root", []entry{file("other/x", "x")}, DefaultLimits, `entry "other/x" is not inside plugctl-bundle/`},
		{"backslash", []entry{file(`plugctl-bundle\..\x`, "x")}, DefaultLimits, "has a backslash in its name"},
		{"symlink", []entry{{tar.Header{Typeflag: tar.TypeSymlink, Name: "plugctl-bundle/l", Linkname: "/etc"}, ""}}, DefaultLimits, `entry "plugctl-bundle/l" is a symbolic link`},
		{"symlink inside", []entry{{tar.Header{Typeflag: tar.TypeSymlink, Name: "plugctl-bundle/l", Linkname: "x"}, ""}}, DefaultLimits, `entry "plugctl-bundle/l" is a symbolic link`},
		{"hard link", []entry{file("plugctl-bundle/x", "x"), {tar.Header{Typeflag: tar.TypeLink, Name: "plugctl-bundle/l", Linkname: "plugctl-bundle/x"}, ""}}, DefaultLimits, `entry "plugctl-bundle/l" is a hard link`},
		{"fifo", []entry{{tar.Header{Typeflag: tar.TypeFifo, Name: "plugctl-bundle/p"}, ""}}, DefaultLimits, `entry "plugctl-bundle/p" is a device, pipe or other special file`},
		{"device", []entry{{tar.Header{Typeflag: tar.TypeChar, Name: "plugctl-bundle/d"}, ""}}, DefaultLimits, `entry "plugctl-bundle/d" is a device, pipe or other special file`},
		{"duplicate", []entry{file("plugctl-bundle/x", "a"), file("plugctl-bundle/x", "b")}, DefaultLimits, "appears twice"},
		{"too many entries", []entry{file("plugctl-bundle/a", ""), file("plugctl-bundle/b", ""), file("plugctl-bundle/c", ""), file("plugctl-bundle/d", ""), file("plugctl-bundle/e", "")}, small, "more than 4 files (the limit)"},
		{"too large", []entry{file("plugctl-bundle/a", "123456"), file("plugctl-bundle/b", "123456")}, small, "expands to more than 10 bytes (the limit)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			path := filepath.Join(t.TempDir(), "site.tar.gz")
			writeBundle(t, path, archive(t, tt.entries...))
			_, err := Unpack(context.Background(), path, tt.lim)
			if fail.KindOf(err) != fail.Mismatch || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Unpack = %v, want a mismatch containing %q", err, tt.want)
			}
			if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
				t.Errorf("TMPDIR holds %d entries after a refused bundle", len(ents))
			}
		})
	}
}

// writeBundle writes data as a bundle at path, with its checksum file.
func writeBundle(t testing.TB, path string, data []byte) {
	t.Helper()
	must(t, os.WriteFile(path, data, 0o644))
	sum := sha256.Sum256(data)
	must(t, os.WriteFile(path+SumSuffix, []byte(hex.EncodeToString(sum[:])+"  "+filepath.Base(path)+"\n"), 0o644))
}

// TestUnpackChecksumFirst: a bundle that does not match its checksum file
// is refused before anything is written, even when it is also hostile.
func TestUnpackChecksumFirst(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	path := filepath.Join(t.TempDir(), "site.tar.gz")
	writeBundle(t, path, archive(t, file("plugctl-bundle/plugconfig.yaml", "schema: 1\n"), file("plugctl-bundle/big", strings.Repeat("x", 1<<20))))
	evil := archive(t, file("plugctl-bundle/big", strings.Repeat("y", 1<<20)), file("../escape", "x"))
	must(t, os.WriteFile(path, evil, 0o644))
	_, err := Unpack(context.Background(), path, DefaultLimits)
	if fail.KindOf(err) != fail.Mismatch || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("Unpack = %v, want a checksum mismatch", err)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("TMPDIR holds %d entries after a checksum mismatch", len(ents))
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
