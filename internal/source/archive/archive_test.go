package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/testenv"
)

// member is one entry of an archive a test builds.
type member struct {
	name string
	body string
	typ  byte   // tar type flag; 0 for a regular file
	link string // target of a link
	mode int64  // 0 means 0644 (0755 for directories)
	size int64  // when set, the file is this many zero bytes (body ignored)
}

func (m member) content() io.Reader {
	if m.size > 0 {
		return io.LimitReader(zeros{}, m.size)
	}
	return strings.NewReader(m.body)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func tarGz(t testing.TB, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Linkname: m.link, Mode: m.mode, ModTime: time.Unix(1700000000, 0)}
		switch {
		case m.typ == 0:
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(m.body))
			if m.size > 0 {
				h.Size = m.size
			}
		case m.typ == tar.TypeDir && h.Mode == 0:
			h.Mode = 0o755
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := io.Copy(tw, m.content()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
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
		body := m.content()
		switch m.typ {
		case tar.TypeDir:
			mode = fs.ModeDir | 0o755
		case tar.TypeSymlink:
			mode = fs.ModeSymlink | 0o777
			body = strings.NewReader(m.link)
		case tar.TypeFifo:
			mode = fs.ModeNamedPipe | 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sum(data []byte) string {
	h := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(h[:])
}

// writeFile writes data to a new file in a temporary directory and returns
// its file:// URL.
func fileURL(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return "file://" + p
}

// tlsServer serves handler over https on 127.0.0.1 and returns an Env
// that trusts it.
func tlsServer(t testing.TB, handler http.Handler, lim source.Limits) (*httptest.Server, *source.Env) {
	t.Helper()
	srv := httptest.NewTLSServer(handler)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, &source.Env{RootCAs: pool, Limits: lim}
}

var geoModule = []member{
	{name: "geo-1.0/", typ: tar.TypeDir},
	{name: "geo-1.0/go.mod", body: "module example.com/geo\n\ngo 1.22\n"},
	{name: "geo-1.0/geo.go", body: "package geo\n"},
	{name: "geo-1.0/cmd/run.sh", body: "#!/bin/sh\n", mode: 0o755},
}

func TestFetchArchive(t *testing.T) {
	tgz := tarGz(t, geoModule...)
	var auth atomic.Value
	srv, fe := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); ok {
			auth.Store(u + ":" + p)
		}
		w.Write(tgz)
	}), source.Limits{})
	flat := zipData(t,
		member{name: "go.mod", body: "module example.com/flat\n"},
		member{name: "pkg/flat.go", body: "package pkg\n"},
	)
	want := map[string]string{
		"go.mod":     "module example.com/geo\n\ngo 1.22\n",
		"geo.go":     "package geo\n",
		"cmd":        "/",
		"cmd/run.sh": "#!/bin/sh\n*",
	}
	tests := []struct {
		name, src, checksum, module string
		files                       map[string]string
	}{
		{"https tar.gz in a top directory", srv.URL + "/geo-1.0.tar.gz", sum(tgz), "example.com/geo", want},
		{"https .tgz with credentials", strings.Replace(srv.URL, "https://", "https://alice:s3cret@", 1) + "/geo.tgz", sum(tgz), "example.com/geo", want},
		{"file zip at the root", fileURL(t, "flat.zip", flat), sum(flat), "example.com/flat",
			map[string]string{"go.mod": "module example.com/flat\n", "pkg": "/", "pkg/flat.go": "package pkg\n"}},
		{"file tar.gz", fileURL(t, "geo.tar.gz", tgz), sum(tgz), "example.com/geo", want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "src", "geo@"+tt.checksum[7:19])
			tree, err := FetchTree(context.Background(), fe, tt.src, tt.checksum, dst)
			if err != nil {
				t.Fatal(err)
			}
			if tree.Dir != dst || tree.Module != tt.module {
				t.Errorf("tree %s %s, want %s %s", tree.Dir, tree.Module, dst, tt.module)
			}
			if got := testenv.TreeFiles(t, dst); !maps.Equal(got, tt.files) {
				t.Errorf("tree = %q, want %q", got, tt.files)
			}
		})
	}
	if got, _ := auth.Load().(string); got != "alice:s3cret" {
		t.Errorf("the server saw credentials %q, want the URL's", got)
	}
}

func TestFetchArchiveChecksumMismatch(t *testing.T) {
	tgz := tarGz(t, geoModule...)
	srv, fe := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(tgz) }), source.Limits{})
	wrong := "sha256:" + strings.Repeat("0", 64)
	dst := filepath.Join(t.TempDir(), "geo")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "keep.go"), []byte("package keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(srv.URL, "https://", "https://alice:s3cret@", 1) + "/geo.tar.gz"
	_, err := FetchTree(context.Background(), fe, src, wrong, dst)
	want := "archive " + strings.Replace(srv.URL, "https://", "https://REDACTED@", 1) + "/geo.tar.gz: checksum mismatch: the config says " + wrong + ", the download is " + sum(tgz)
	if err == nil || err.Error() != want {
		t.Fatalf("error\n%v\nwant\n%s", err, want)
	}
	if fail.Code(err) != 3 {
		t.Errorf("exit code %d, want 3", fail.Code(err))
	}
	if got := testenv.TreeFiles(t, dst); !maps.Equal(got, map[string]string{"keep.go": "package keep\n"}) {
		t.Errorf("dst changed after a mismatch: %q", got)
	}
}

func TestFetchArchiveHostile(t *testing.T) {
	gomod := member{name: "go.mod", body: "module example.com/x\n"}
	many := []member{gomod}
	for i := range 30 {
		many = append(many, member{name: "f" + strconv.Itoa(i) + ".go", body: "package x\n"})
	}
	small := source.Limits{MaxFiles: 10, MaxTreeBytes: 1 << 20}
	tests := []struct {
		name    string
		ext     string
		data    []byte
		lim     source.Limits
		code    int
		wantErr string
	}{
		{"tar dot-dot", "tar.gz", tarGz(t, gomod, member{name: "../evil.go", body: "package evil\n"}), source.Limits{}, 2,
			`entry "../evil.go" escapes the archive's directory ("..")`},
		{"tar nested dot-dot", "tar.gz", tarGz(t, gomod, member{name: "a/../../evil.go", body: "x"}), source.Limits{}, 2,
			`entry "a/../../evil.go" escapes the archive's directory ("..")`},
		{"zip dot-dot", "zip", zipData(t, gomod, member{name: "../evil.go", body: "package evil\n"}), source.Limits{}, 2,
			`entry "../evil.go" escapes the archive's directory ("..")`},
		{"tar absolute", "tar.gz", tarGz(t, gomod, member{name: "/tmp/abs.go", body: "x"}), source.Limits{}, 2,
			`entry "/tmp/abs.go" has an absolute path`},
		{"zip absolute", "zip", zipData(t, gomod, member{name: "/abs.go", body: "x"}), source.Limits{}, 2,
			`entry "/abs.go" has an absolute path`},
		{"zip drive letter", "zip", zipData(t, gomod, member{name: "C:/abs.go", body: "x"}), source.Limits{}, 2,
			`entry "C:/abs.go" has an absolute path`},
		{"zip backslash", "zip", zipData(t, gomod, member{name: `..\evil.go`, body: "x"}), source.Limits{}, 2,
			`entry "..\\evil.go" has a backslash in its name`},
		{"tar symlink", "tar.gz", tarGz(t, gomod, member{name: "passwd", typ: tar.TypeSymlink, link: "/etc/passwd"}), source.Limits{}, 2,
			`entry "passwd" is a symbolic link (archives may hold only files and directories)`},
		{"zip symlink", "zip", zipData(t, gomod, member{name: "passwd", typ: tar.TypeSymlink, link: "/etc/passwd"}), source.Limits{}, 2,
			`entry "passwd" is a symbolic link (archives may hold only files and directories)`},
		{"tar hard link", "tar.gz", tarGz(t, gomod, member{name: "hard", typ: tar.TypeLink, link: "/etc/passwd"}), source.Limits{}, 2,
			`entry "hard" is a hard link (archives may hold only files and directories)`},
		{"tar fifo", "tar.gz", tarGz(t, gomod, member{name: "fifo", typ: tar.TypeFifo}), source.Limits{}, 2,
			`entry "fifo" is a device, pipe or other special file (archives may hold only files and directories)`},
		{"tar bomb", "tar.gz", tarGz(t, gomod, member{name: "zeros", size: 16 << 20}), small, 2,
			`expands to more than 1 MiB (the limit); at entry "zeros"`},
		{"zip bomb", "zip", zipData(t, gomod, member{name: "zeros", size: 16 << 20}), small, 2,
			`expands to more than 1 MiB (the limit); at entry "zeros"`},
		{"too many files", "tar.gz", tarGz(t, many...), small, 2, `more than 10 files (the limit)`},
		{"zip too many files", "zip", zipData(t, many...), small, 2, `more than 10 files (the limit)`},
		{"duplicate entry", "tar.gz", tarGz(t, gomod, gomod), source.Limits{}, 2, `entry "go.mod" appears twice`},
		{"not gzip", "tar.gz", []byte("this is not an archive"), source.Limits{}, 2, `reading the gzip stream: gzip: invalid header`},
		{"not zip", "zip", []byte("this is not an archive"), source.Limits{}, 2, `reading the zip archive: zip: not a valid zip file`},
		{"no go.mod", "tar.gz", tarGz(t, member{name: "a/x.go", body: "package x\n"}, member{name: "b/y.go", body: "package y\n"}), source.Limits{}, 2,
			`the archive has no go.mod at its root (nor in a single top-level directory)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			dir := filepath.Join(base, "in", "deep")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, "bad."+tt.ext)
			if err := os.WriteFile(p, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(base, "out", "deep", "dst")
			fe := &source.Env{Limits: tt.lim}
			_, err := FetchTree(context.Background(), fe, "file://"+p, sum(tt.data), dst)
			want := "extracting file://" + p + ": " + tt.wantErr
			if err == nil || err.Error() != want {
				t.Fatalf("error\n%v\nwant\n%s", err, want)
			}
			if got := fail.Code(err); got != tt.code {
				t.Errorf("exit code %d, want %d", got, tt.code)
			}
			// Nothing was written: no dst, no evil.go anywhere above it.
			for _, p := range []string{dst, filepath.Join(base, "out", "deep", "evil.go"), filepath.Join(base, "out", "evil.go"), filepath.Join(base, "evil.go"), "/tmp/abs.go"} {
				if _, err := os.Lstat(p); !os.IsNotExist(err) {
					t.Errorf("%s exists after a refused archive", p)
				}
			}
			if ents, _ := os.ReadDir(filepath.Join(base, "out", "deep")); len(ents) != 0 {
				t.Errorf("leftovers beside dst: %v", ents)
			}
		})
	}
}

func TestFetchArchiveFaults(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/stall.tar.gz", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers
	})
	mux.HandleFunc("/trickle.tar.gz", func(w http.ResponseWriter, r *http.Request) {
		for {
			if _, err := w.Write([]byte{0}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
	endless := func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 32<<10)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
	mux.HandleFunc("/endless.tar.gz", endless)
	mux.HandleFunc("/big.tar.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(64<<20))
		endless(w, r)
	})
	mux.HandleFunc("/loop.tar.gz", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop2.tar.gz", http.StatusFound)
	})
	mux.HandleFunc("/loop2.tar.gz", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop.tar.gz", http.StatusFound)
	})
	mux.HandleFunc("/downgrade.tar.gz", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+r.Host+"/x.tar.gz", http.StatusFound)
	})
	var requests atomic.Int32
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		mux.ServeHTTP(w, r)
	})
	srv, fe := tlsServer(t, handler, source.Limits{Timeout: 2 * time.Second, MaxBytes: 1 << 20})
	fifo := filepath.Join(t.TempDir(), "fifo.tar.gz")
	testenv.Mkfifo(t, fifo)
	any := "sha256:" + strings.Repeat("0", 64)
	tests := []struct {
		name, src string
		code      int
		want      string // the message after "downloading URL: "
	}{
		{"stalled server", "/stall.tar.gz", 4, "timed out after 2s"},
		{"trickling server", "/trickle.tar.gz", 4, "timed out after 2s"},
		{"endless body", "/endless.tar.gz", 4, "the archive is larger than 1 MiB (the limit)"},
		{"declared too large", "/big.tar.gz", 4, "the archive is larger than 1 MiB (the limit)"},
		{"redirect loop", "/loop.tar.gz", 4, `Get "/loop.tar.gz": stopped after 10 redirects`},
		{"redirect to http", "/downgrade.tar.gz", 4, `Get "http://` + strings.TrimPrefix(srv.URL, "https://") + `/x.tar.gz": refusing a redirect to http://` + strings.TrimPrefix(srv.URL, "https://") + `/x.tar.gz (only https is allowed)`},
		{"not found", "/none.tar.gz", 4, "bad response code: 404"},
		{"fifo", "file://" + fifo, 4, fifo + " is not a regular file"},
		{"missing file", "file:///nonexistent/x.tar.gz", 4, "stat /nonexistent/x.tar.gz: no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			if strings.HasPrefix(src, "/") {
				src = srv.URL + src
			}
			start := time.Now()
			_, err := FetchTree(context.Background(), fe, src, any, filepath.Join(t.TempDir(), "dst"))
			// A guard against a hang, not a speed target: the 2s limit
			// must stop the download, however loaded the machine is.
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("took %v; the limits should have stopped it", d)
			}
			want := "downloading " + src + ": " + tt.want
			if err == nil || err.Error() != want {
				t.Fatalf("error\n%v\nwant\n%s", err, want)
			}
			if got := fail.Code(err); got != tt.code {
				t.Errorf("exit code %d, want %d", got, tt.code)
			}
		})
	}

	// A query string or a forced getter never reaches go-getter.
	before := requests.Load()
	for _, src := range []string{
		srv.URL + "/x.tar.gz?archive=false",
		srv.URL + "/x.tar.gz?checksum=sha256:" + strings.Repeat("0", 64),
		"http::" + srv.URL + "/x.tar.gz",
		srv.URL + "/a//x.tar.gz",
		"http://" + strings.TrimPrefix(srv.URL, "https://") + "/x.tar.gz",
	} {
		if _, err := FetchTree(context.Background(), fe, src, any, t.TempDir()); err == nil || fail.Code(err) != 2 {
			t.Errorf("FetchArchive(%q) = %v (exit %d), want a config error", src, err, fail.Code(err))
		}
	}
	if n := requests.Load() - before; n != 0 {
		t.Errorf("refused sources made %d requests", n)
	}

	// Cancelling stops a download at once and says so.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := FetchTree(ctx, &source.Env{RootCAs: fe.RootCAs}, srv.URL+"/stall.tar.gz", any, t.TempDir())
	if !errors.Is(err, context.Canceled) || fail.Code(err) != 130 {
		t.Errorf("cancelled FetchArchive = %v (exit %d), want context.Canceled (exit 130)", err, fail.Code(err))
	}
}
