package cli_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// Script commands for scripts whose plugs come from git repositories and
// archives.

// cmdMkArchive packs a directory of the script into a .tar.gz, entries
// under one top-level directory named after it as release tarballs have
// them, and sets ARCHIVE_SHA256 to its checksum as a config writes it:
// mkarchive DIR OUT.
func cmdMkArchive(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkarchive DIR OUT")
	}
	root := ts.MkAbs(args[0])
	var names []string
	ts.Check(filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			names = append(names, path)
		}
		return err
	}))
	sort.Strings(names)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, path := range names {
		data, err := os.ReadFile(path)
		ts.Check(err)
		rel, err := filepath.Rel(filepath.Dir(root), path)
		ts.Check(err)
		ts.Check(tw.WriteHeader(&tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}))
		_, err = tw.Write(data)
		ts.Check(err)
	}
	ts.Check(tw.Close())
	ts.Check(gz.Close())
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), buf.Bytes(), 0o644))
	sum := sha256.Sum256(buf.Bytes())
	ts.Setenv("ARCHIVE_SHA256", "sha256:"+hex.EncodeToString(sum[:]))
}

// cmdEnvsubst replaces $NAME and ${NAME} in a file of the script by the
// script's environment, for configs that must name $WORK or a checksum
// made by the script: envsubst FILE.
func cmdEnvsubst(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: envsubst FILE")
	}
	path := ts.MkAbs(args[0])
	ts.Check(os.WriteFile(path, []byte(os.Expand(ts.ReadFile(args[0]), ts.Getenv)), 0o644))
}

// cmdHTTPSFiles serves a directory of the script over HTTPS on 127.0.0.1
// until the script ends: httpsfiles DIR. It sets HTTPS_URL to the server's
// base URL and SSL_CERT_FILE to its certificate, which plugctl then trusts
// as its only root (Go reads SSL_CERT_FILE on Linux).
func cmdHTTPSFiles(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: httpsfiles DIR")
	}
	srv := httptest.NewTLSServer(http.FileServer(http.Dir(ts.MkAbs(args[0]))))
	ts.Defer(srv.Close)
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	ca := ts.MkAbs(".https-ca.pem")
	ts.Check(os.WriteFile(ca, cert, 0o644))
	ts.Setenv("SSL_CERT_FILE", ca)
	ts.Setenv("HTTPS_URL", srv.URL)
}

// cmdStdoutEnv sets NAME to the first group of REGEXP in the last command's
// stdout, for a script that feeds what a command printed to the next:
// stdoutenv NAME REGEXP.
func cmdStdoutEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: stdoutenv NAME REGEXP")
	}
	m := regexp.MustCompile("(?m)" + args[1]).FindStringSubmatch(ts.ReadFile("stdout"))
	if len(m) < 2 {
		ts.Fatalf("no match for %s in stdout", args[1])
	}
	ts.Setenv(args[0], m[1])
}

// cmdTarList writes, for each entry of a .tar.gz in order, its type, mode,
// owner and group ids and names, time, size and name, as stdout for the
// next stdout or cmp: tarlist FILE.
func cmdTarList(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: tarlist FILE")
	}
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	ts.Check(err)
	tr := tar.NewReader(zr)
	w := ts.Stdout()
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		ts.Check(err)
		fmt.Fprintf(w, "%c %04o %d:%d %q:%q %s %d %s\n", h.Typeflag, h.Mode, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime.UTC().Format(time.RFC3339), h.Size, h.Name)
	}
}
