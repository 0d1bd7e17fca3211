package cli_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// hostileMember is one entry of a hostile archive.
type hostileMember struct {
	name string
	typ  byte   // tar type flag; 0 for a regular file
	link string // a link's target
	body string
	size int64 // a file of this many zero bytes instead of body
}

// goMod is the go.mod every hostile archive carries, so that only its
// hostile entry can be what refuses it.
var goMod = hostileMember{name: "evil/go.mod", body: "module example.com/evil\n\ngo 1.22\n"}

// hostileArchives are the archives mkhostile makes, by kind. Each would be
// a valid module but for one entry.
var hostileArchives = map[string][]hostileMember{
	"dotdot":   {goMod, {name: "evil/../../escaped.go", body: "package x\n"}},
	"absolute": {goMod, {name: "/tmp/plugctl-absolute.go", body: "package x\n"}},
	"symlink":  {goMod, {name: "evil/passwd", typ: tar.TypeSymlink, link: "/etc/passwd"}},
	"hardlink": {goMod, {name: "evil/shadow", typ: tar.TypeLink, link: "/etc/shadow"}},
	"fifo":     {goMod, {name: "evil/pipe", typ: tar.TypeFifo}},
	"device":   {goMod, {name: "evil/zero", typ: tar.TypeChar}},
	"dup":      {goMod, {name: "evil/a.go", body: "package a\n"}, {name: "evil/./a.go", body: "package b\n"}},
	// 64 MiB of zeros compress to about 64 KiB: with the tree capped at
	// 1 MiB by the script, the ratio is that of a bomb.
	"bomb": {goMod, {name: "evil/zeros.bin", size: 64 << 20}},
	// The tar header declares 1 TiB: refused from the header, before a
	// byte of it is inflated.
	"bighdr": {goMod, {name: "evil/huge.bin", size: -1}},
	"many":   manyFiles(2000),
}

func manyFiles(n int) []hostileMember {
	m := []hostileMember{goMod}
	for i := range n {
		m = append(m, hostileMember{name: fmt.Sprintf("evil/f%04d.go", i), body: "package evil\n"})
	}
	return m
}

// cmdMkHostile writes a hostile archive of the given kind (a key of
// hostileArchives; zip- in front makes a .zip of it) and sets
// ARCHIVE_SHA256 to its checksum, so that the checksum passes and the entry
// is what plugctl must refuse: mkhostile KIND OUT.
func cmdMkHostile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkhostile KIND OUT")
	}
	kind, isZip := args[0], false
	if k, ok := strings.CutPrefix(kind, "zip-"); ok {
		kind, isZip = k, true
	}
	members, ok := hostileArchives[kind]
	if !ok {
		ts.Fatalf("mkhostile: unknown kind %q", args[0])
	}
	var data []byte
	if isZip {
		data = zipOf(ts, members)
	} else {
		data = tarGzOf(ts, members)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), data, 0o644))
	sum := sha256.Sum256(data)
	ts.Setenv("ARCHIVE_SHA256", "sha256:"+hex.EncodeToString(sum[:]))
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func tarGzOf(ts *testscript.TestScript, members []hostileMember) []byte {
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Linkname: m.link, Mode: 0o644, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
		if m.typ == 0 {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(m.body))
		}
		switch {
		case m.size > 0:
			h.Size = m.size
		case m.size < 0:
			// Declare a size the stream does not hold: the writer is
			// closed without it, which a reader sees as a cut-short
			// archive only once it gets that far.
			h.Size = 1 << 40
		}
		ts.Check(tw.WriteHeader(h))
		switch {
		case m.size < 0:
			ts.Check(gz.Close())
			return buf.Bytes()
		case m.size > 0:
			_, err := io.Copy(tw, io.LimitReader(zeroReader{}, m.size))
			ts.Check(err)
		default:
			_, err := tw.Write([]byte(m.body))
			ts.Check(err)
		}
	}
	ts.Check(tw.Close())
	ts.Check(gz.Close())
	return buf.Bytes()
}

func zipOf(ts *testscript.TestScript, members []hostileMember) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate, Modified: time.Unix(0, 0).UTC()}
		switch m.typ {
		case 0:
			h.SetMode(0o644)
		case tar.TypeSymlink:
			h.SetMode(0o777 | os.ModeSymlink)
		default:
			ts.Fatalf("mkhostile: no zip form of tar type %q", m.typ)
		}
		w, err := zw.CreateHeader(h)
		ts.Check(err)
		switch {
		case m.size > 0:
			_, err = io.Copy(w, io.LimitReader(zeroReader{}, m.size))
		case m.typ == tar.TypeSymlink:
			_, err = w.Write([]byte(m.link))
		default:
			_, err = w.Write([]byte(m.body))
		}
		ts.Check(err)
	}
	ts.Check(zw.Close())
	return buf.Bytes()
}

// cmdHTTPSHostile starts an HTTPS server on 127.0.0.1 that misbehaves in
// the given way for every request, until the script ends: httpshostile MODE.
// It sets HTTPS_URL and SSL_CERT_FILE as httpsfiles does, HTTPS_HOST to
// the server's host:port, and GIT_SSL_CAINFO for git. Modes:
//
//	stall     accept the request and never answer
//	trickle   answer, then send one byte every 100ms of a body that claims 1 MiB
//	endless   send zeros forever, with no Content-Length
//	liar      claim a Content-Length of 16 EiB
//	loop      redirect every request to another URL of the same server
//	tohttp    redirect to a plain http:// URL
func cmdHTTPSHostile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: httpshostile MODE")
	}
	var h http.HandlerFunc
	switch args[0] {
	case "stall":
		h = func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	case "trickle":
		h = func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(1<<20))
			w.WriteHeader(http.StatusOK)
			for {
				if _, err := w.Write([]byte{0}); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		}
	case "endless":
		h = func(w http.ResponseWriter, r *http.Request) {
			chunk := make([]byte, 32<<10)
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}
	case "liar":
		h = func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.FormatInt(1<<62, 10))
			w.WriteHeader(http.StatusOK)
			w.Write([]byte("short"))
		}
	case "loop":
		n := 0
		h = func(w http.ResponseWriter, r *http.Request) {
			n++
			http.Redirect(w, r, fmt.Sprintf("/loop%d/a.tar.gz", n), http.StatusFound)
		}
	case "tohttp":
		h = func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://"+r.Host+"/a.tar.gz", http.StatusFound)
		}
	default:
		ts.Fatalf("httpshostile: unknown mode %q", args[0])
	}
	srv := httptest.NewTLSServer(h)
	ts.Defer(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	ca := ts.MkAbs(".https-ca.pem")
	ts.Check(os.WriteFile(ca, cert, 0o644))
	ts.Setenv("SSL_CERT_FILE", ca)
	ts.Setenv("GIT_SSL_CAINFO", ca)
	ts.Setenv("HTTPS_URL", srv.URL)
	ts.Setenv("HTTPS_HOST", srv.Listener.Addr().String())
}
