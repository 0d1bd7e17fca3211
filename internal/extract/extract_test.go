package extract

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// member is one entry of an archive a test builds.
type member struct {
	name string
	body string
	typ  byte   // tar type flag; 0 for a regular file
	link string // target of a link
	mode int64  // 0 means 0644 (0755 for directories)
	size int64  // when set, a header declaring this size (body ignored)
}

func tarData(t testing.TB, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Linkname: m.link, Mode: m.mode}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(m.body))
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		body := m.body
		if m.size > 0 {
			h.Size, body = m.size, strings.Repeat("\x00", int(m.size))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := io.WriteString(tw, body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tarGz(t testing.TB, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	if _, err := gz.Write(tarData(t, members...)); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipData(t testing.TB, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate}
		mode := fs.FileMode(0o644)
		if m.mode != 0 {
			mode = fs.FileMode(m.mode)
		}
		body := m.body
		if m.size > 0 {
			body = strings.Repeat("\x00", int(m.size))
		}
		switch m.typ {
		case tar.TypeDir:
			mode = fs.ModeDir | 0o755
		case tar.TypeSymlink:
			mode = fs.ModeSymlink | 0o777
			body = m.link
		case tar.TypeFifo:
			mode = fs.ModeNamedPipe | 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// archive makes the archive of members in format f.
func archive(t testing.TB, f Format, members ...member) []byte {
	switch f {
	case Tar:
		return tarData(t, members...)
	case TarGz:
		return tarGz(t, members...)
	}
	return zipData(t, members...)
}

var formats = []struct {
	name string
	f    Format
}{{"tar", Tar}, {"tar.gz", TarGz}, {"zip", Zip}}

var big = Limits{MaxEntries: 1000, MaxBytes: 1 << 20}

// tree lists the files under dir as "name mode content" and directories as
// "name/ mode".
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			out = append(out, filepath.ToSlash(rel)+"/ "+fi.Mode().Perm().String())
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel)+" "+fi.Mode().Perm().String()+" "+string(data))
		default:
			out = append(out, filepath.ToSlash(rel)+" "+fi.Mode().String())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func extractBytes(t *testing.T, data []byte, f Format, o Options) (string, error) {
	t.Helper()
	dst := t.TempDir()
	return dst, Extract(context.Background(), bytes.NewReader(data), int64(len(data)), f, dst, o)
}

func TestExtract(t *testing.T) {
	defer umask(0o077)() // modes do not depend on it
	members := []member{
		{name: "./", typ: tar.TypeDir},
		{name: "go.mod", body: "module example.com/x\n", mode: 0o600},
		{name: "cmd/run.sh", body: "#!/bin/sh\n", mode: 0o700},
		{name: "a//b/./c.go", body: "package b\n"},
		{name: "a/", typ: tar.TypeDir},
		{name: "empty/", typ: tar.TypeDir},
	}
	want := []string{
		"a/ -rwxr-xr-x",
		"a/b/ -rwxr-xr-x",
		"a/b/c.go -rw-r--r-- package b\n",
		"cmd/ -rwxr-xr-x",
		"cmd/run.sh -rwxr-xr-x #!/bin/sh\n",
		"empty/ -rwxr-xr-x",
		"go.mod -rw-r--r-- module example.com/x\n",
	}
	for _, tt := range formats {
		t.Run(tt.name, func(t *testing.T) {
			dst, err := extractBytes(t, archive(t, tt.f, members...), tt.f, Options{Limits: big})
			if err != nil {
				t.Fatal(err)
			}
			if got := tree(t, dst); !slices.Equal(got, want) {
				t.Errorf("extracted:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestExtractSkipsSymlinks(t *testing.T) {
	data := tarData(t, member{name: "a.go", body: "package a\n"}, member{name: "passwd", typ: tar.TypeSymlink, link: "/etc/passwd"}, member{name: "up", typ: tar.TypeSymlink, link: "../.."})
	dst, err := extractBytes(t, data, Tar, Options{Limits: big, Symlinks: SkipSymlinks})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tree(t, dst), []string{"a.go -rw-r--r-- package a\n"}; !slices.Equal(got, want) {
		t.Errorf("extracted %q, want %q", got, want)
	}
	// A hard link is refused even so.
	data = tarData(t, member{name: "a.go", body: "x"}, member{name: "h", typ: tar.TypeLink, link: "a.go"})
	if _, err := extractBytes(t, data, Tar, Options{Limits: big, Symlinks: SkipSymlinks}); err == nil || !strings.Contains(err.Error(), "is a hard link") {
		t.Errorf("a hard link: %v", err)
	}
}

func TestExtractRefuses(t *testing.T) {
	small := Limits{MaxEntries: 4, MaxBytes: 10}
	gomod := member{name: "go.mod", body: "m"}
	tests := []struct {
		name    string
		members []member
		lim     Limits
		prefix  string
		want    string
		formats []Format // nil: all
	}{
		{"dot-dot", []member{gomod, {name: "../evil.go", body: "x"}}, big, "", `entry "../evil.go" escapes the archive's directory ("..")`, nil},
		{"nested dot-dot", []member{{name: "a/../../evil.go", body: "x"}}, big, "", `entry "a/../../evil.go" escapes the archive's directory ("..")`, nil},
		{"absolute", []member{{name: "/tmp/abs.go", body: "x"}}, big, "", `entry "/tmp/abs.go" has an absolute path`, nil},
		{"drive letter", []member{{name: "C:/abs.go", body: "x"}}, big, "", `entry "C:/abs.go" has an absolute path`, nil},
		{"backslash", []member{{name: `..\evil.go`, body: "x"}}, big, "", `entry "..\\evil.go" has a backslash in its name`, nil},
		{"control character", []member{{name: "a\x1b[2Jb", body: "x"}}, big, "", `entry "a\x1b[2Jb" has a control character in its name`, nil},
		{"not utf-8", []member{{name: "a\xffb", body: "x"}}, big, "", `entry "a\xffb" is not valid UTF-8`, []Format{Tar, TarGz}},
		{"symlink", []member{gomod, {name: "passwd", typ: tar.TypeSymlink, link: "/etc/passwd"}}, big, "", `entry "passwd" is a symbolic link (archives may hold only files and directories)`, nil},
		{"hard link", []member{gomod, {name: "hard", typ: tar.TypeLink, link: "go.mod"}}, big, "", `entry "hard" is a hard link (archives may hold only files and directories)`, []Format{Tar, TarGz}},
		{"fifo", []member{{name: "fifo", typ: tar.TypeFifo}}, big, "", `entry "fifo" is a device, pipe or other special file (archives may hold only files and directories)`, nil},
		{"device", []member{{name: "zero", typ: tar.TypeChar}}, big, "", `entry "zero" is a device, pipe or other special file (archives may hold only files and directories)`, []Format{Tar, TarGz}},
		{"duplicate", []member{gomod, gomod}, big, "", `entry "go.mod" appears twice`, nil},
		{"duplicate once cleaned", []member{{name: "a/b", body: "1"}, {name: "a//b", body: "2"}}, big, "", `entry "a/b" appears twice`, nil},
		{"file and directory", []member{{name: "a", body: "1"}, {name: "a/", typ: tar.TypeDir}}, big, "", `entry "a" appears twice`, nil},
		{"file used as a directory", []member{{name: "a", body: "1"}, {name: "a/b", body: "2"}}, big, "", `entry "a/b" is inside "a", which is not a directory`, nil},
		{"root not a directory", []member{{name: ".", body: "x"}}, big, "", `entry "." is not a directory`, []Format{Tar, TarGz}},
		{"too many entries", []member{{name: "a/", typ: tar.TypeDir}, {name: "a/1"}, {name: "a/2"}, {name: "a/3"}, {name: "a/4"}}, small, "", `more than 4 files (the limit)`, nil},
		{"too large", []member{{name: "a", body: "123456"}, {name: "b", body: "123456"}}, small, "", `expands to more than 10 bytes (the limit); at entry "b"`, nil},
		{"declared too large", []member{{name: "zeros", size: 2 << 20}}, big, "", `expands to more than 1 MiB (the limit); at entry "zeros"`, nil},
		{"outside the prefix", []member{{name: "root/a", body: "x"}, {name: "other/x", body: "x"}}, big, "root", `entry "other/x" is not inside root/`, nil},
		{"beside the prefix", []member{{name: "rootx/a", body: "x"}}, big, "root", `entry "rootx/a" is not inside root/`, nil},
		{"credentials in a name", []member{{name: "https://u:tok@h/\x01", body: "x"}}, big, "", `entry "https://REDACTED@h/\x01" has a control character in its name`, nil},
	}
	for _, tt := range tests {
		for _, ft := range formats {
			if tt.formats != nil && !slices.Contains(tt.formats, ft.f) {
				continue
			}
			t.Run(tt.name+"/"+ft.name, func(t *testing.T) {
				parent := t.TempDir()
				dst := filepath.Join(parent, "dst")
				if err := os.Mkdir(dst, 0o755); err != nil {
					t.Fatal(err)
				}
				data := archive(t, ft.f, tt.members...)
				err := Extract(context.Background(), bytes.NewReader(data), int64(len(data)), ft.f, dst, Options{Limits: tt.lim, Prefix: tt.prefix})
				var xe *Error
				if !errors.As(err, &xe) || err.Error() != tt.want {
					t.Fatalf("Extract = %v, want *Error %q", err, tt.want)
				}
				// Checked before a byte is written.
				if ents, _ := os.ReadDir(dst); len(ents) != 0 {
					t.Errorf("dst holds %d entries after a refusal", len(ents))
				}
				if ents, _ := os.ReadDir(parent); len(ents) != 1 {
					t.Errorf("%s holds %d entries, want only dst", parent, len(ents))
				}
			})
		}
	}
}

func TestExtractDamaged(t *testing.T) {
	tests := []struct {
		name string
		f    Format
		data []byte
		want string
	}{
		{"not gzip", TarGz, []byte("this is not an archive"), "reading the gzip stream: gzip: invalid header"},
		{"not zip", Zip, []byte("this is not an archive"), "reading the zip archive: zip: not a valid zip file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := extractBytes(t, tt.data, tt.f, Options{Limits: big}); err == nil || err.Error() != tt.want {
				t.Errorf("Extract = %v, want %q", err, tt.want)
			}
		})
	}
	// A truncated stream is refused as the archive's fault.
	data := tarGz(t, member{name: "a", body: strings.Repeat("x", 4096)})
	_, err := extractBytes(t, data[:len(data)/2], TarGz, Options{Limits: big})
	var xe *Error
	if !errors.As(err, &xe) {
		t.Errorf("a truncated archive: %v, want an *Error", err)
	}
}

func TestExtractCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	data := tarData(t, member{name: "a", body: "x"})
	err := Extract(ctx, bytes.NewReader(data), int64(len(data)), Tar, t.TempDir(), Options{Limits: big})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Extract = %v, want context.Canceled", err)
	}
}

// FuzzCleanName checks that an entry name cleanName accepts stays inside
// the directory it is extracted to.
func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"a/b.go", "./a", "../x", "/etc/passwd", `..\x`, "a/../../x", "C:/x", "a//b", ".", "a/./b/", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		clean, err := cleanName(name)
		if err != nil || clean == "" {
			return
		}
		if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(clean, `\`) || path.Clean(clean) != clean || !filepath.IsLocal(filepath.FromSlash(clean)) {
			t.Fatalf("cleanName(%q) = %q escapes", name, clean)
		}
	})
}

func sha(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// TestExtractChecksum: with Options.SHA256 the whole archive is hashed
// and compared before anything is written, and a wrong checksum is what is
// reported, whatever else is wrong with the archive.
func TestExtractChecksum(t *testing.T) {
	good := []member{{name: "a/b.go", body: "package a\n"}}
	hostile := []member{{name: "../evil.go", body: "x"}}
	for _, ft := range formats {
		t.Run(ft.name, func(t *testing.T) {
			data := archive(t, ft.f, good...)
			dst, err := extractBytes(t, data, ft.f, Options{Limits: big, SHA256: sha(data)})
			if err != nil {
				t.Fatal(err)
			}
			if got := tree(t, dst); len(got) != 2 {
				t.Errorf("extracted %q", got)
			}
			damaged := bytes.Clone(data)
			damaged[len(damaged)/2] ^= 0xff
			bad := archive(t, ft.f, hostile...)
			for name, in := range map[string][]byte{"damaged": damaged, "hostile": bad, "truncated": data[:len(data)/2]} {
				dst, err := extractBytes(t, in, ft.f, Options{Limits: big, SHA256: sha(data)})
				var ce *ChecksumError
				if !errors.As(err, &ce) || ce.Got != sha(in) {
					t.Errorf("%s: Extract = %v, want a checksum mismatch with sha256 %s", name, err, sha(in))
				}
				if ents, _ := os.ReadDir(dst); len(ents) != 0 {
					t.Errorf("%s: %d entries written", name, len(ents))
				}
			}
		})
	}
}

// FuzzExtract feeds arbitrary bytes to Extract as a tar.gz and as a zip
// whose entries must be below "root": whatever they hold, nothing may be
// written outside the destination, nothing but directories and regular
// files inside it, and nothing outside root/.
func FuzzExtract(f *testing.F) {
	f.Add(tarGz(f, member{name: "root/plugconfig.yaml", body: "schema: 1\n"}), false)
	f.Add(tarGz(f, member{name: "root/../x", body: "x"}), false)
	f.Add(tarGz(f, member{name: "root/l", typ: tar.TypeSymlink, link: "/"}, member{name: "root/l/x", body: "x"}), false)
	f.Add(tarGz(f, member{name: "root/d/", typ: tar.TypeDir}, member{name: "root/d", body: "x"}), false)
	f.Add(tarGz(f, member{name: "root/a", body: "x"}, member{name: "root/a/b", body: "y"}), false)
	f.Add(zipData(f, member{name: "root/a/b.go", body: "package b\n"}, member{name: "other", body: "x"}), true)
	f.Add(zipData(f, member{name: "root/../x", body: "x"}), true)
	f.Add([]byte("not an archive"), false)
	o := Options{Limits: Limits{MaxEntries: 50, MaxBytes: 1 << 16}, Prefix: "root"}
	f.Fuzz(func(t *testing.T, data []byte, isZip bool) {
		format := TarGz
		if isZip {
			format = Zip
		}
		parent := t.TempDir()
		dst := filepath.Join(parent, "dst")
		if err := os.Mkdir(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		_ = Extract(context.Background(), bytes.NewReader(data), int64(len(data)), format, dst, o)
		ents, err := os.ReadDir(parent)
		if err != nil || len(ents) != 1 {
			t.Fatalf("Extract wrote beside its destination: %v %v", ents, err)
		}
		err = filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && !d.Type().IsRegular() {
				t.Errorf("Extract made %s, a %v", p, d.Type())
			}
			if rel, _ := filepath.Rel(dst, p); rel != "." && rel != "root" && !strings.HasPrefix(rel, "root/") {
				t.Errorf("Extract made %s outside root/", rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
