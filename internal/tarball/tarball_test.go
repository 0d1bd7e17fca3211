package tarball

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// list returns an archive's entries as "type mode name" lines.
func list(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header %+v", zr.Header)
	}
	tr := tar.NewReader(zr)
	var b strings.Builder
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return b.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || !h.ModTime.Equal(Epoch) {
			t.Errorf("%s: header %+v", h.Name, h)
		}
		fmt.Fprintf(&b, "%c %04o %s\n", h.Typeflag, h.Mode, h.Name)
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := []File{{Name: "z/b.txt", Data: []byte("b")}, {Name: "run.sh", Source: exe}, {Name: "a.txt", Data: []byte("a")}}
	for _, tt := range []struct {
		keepExec bool
		want     string
	}{
		{false, "5 0755 r/\n0 0644 r/a.txt\n0 0644 r/run.sh\n5 0755 r/z/\n0 0644 r/z/b.txt\n"},
		{true, "5 0755 r/\n0 0644 r/a.txt\n0 0755 r/run.sh\n5 0755 r/z/\n0 0644 r/z/b.txt\n"},
	} {
		var buf bytes.Buffer
		if err := Write(&buf, files, Options{Root: "r", KeepExec: tt.keepExec}); err != nil {
			t.Fatal(err)
		}
		if got := list(t, buf.Bytes()); got != tt.want {
			t.Errorf("KeepExec %t:\n%s\nwant\n%s", tt.keepExec, got, tt.want)
		}
	}
}

func TestWriteRefuses(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "f")
	if err := os.WriteFile(src, []byte("now"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := sha256.Sum256([]byte("before"))
	for _, tt := range []struct {
		name  string
		files []File
		want  string
	}{
		{"duplicate", []File{{Name: "a", Data: []byte{}}, {Name: "a", Data: []byte{}}}, `invalid or duplicate name "a"`},
		{"dot dot", []File{{Name: "../a", Data: []byte{}}}, `invalid or duplicate name "../a"`},
		{"absolute", []File{{Name: "/a", Data: []byte{}}}, `invalid or duplicate name "/a"`},
		{"a directory", []File{{Name: "d", Source: dir}}, "packing " + dir + ": not a regular file"},
		{"changed", []File{{Name: "f", Source: src, SHA256: hex.EncodeToString(before[:])}}, src + " changed while it was packed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(io.Discard, tt.files, Options{Root: "r"})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error:\ngot  %v\nwant %s", err, tt.want)
			}
			var ce *ChangedError
			if errors.As(err, &ce) != (tt.name == "changed") {
				t.Errorf("ChangedError: %v", err)
			}
		})
	}
}
