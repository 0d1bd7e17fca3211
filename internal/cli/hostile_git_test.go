package cli_test

import (
	"bytes"
	"compress/gzip"
	"encoding/pem"
	"io"
	"io/fs"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// Script commands for the git cases of the corpus: a smart-HTTP git server
// that wants credentials, a fake git that logs its argv, and a search for a
// secret in every file a run left behind.

// cmdGitServe serves the bare repositories under DIR over HTTPS on
// 127.0.0.1 with git http-backend (the real smart-HTTP protocol, through
// net/http/cgi), answering only requests with the basic-auth credentials
// USER:PASSWORD, until the script ends: gitserve DIR USER PASSWORD. It
// sets GIT_HTTPS_HOST to the server's host:port and GIT_SSL_CAINFO to its
// certificate, which git then trusts.
func cmdGitServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: gitserve DIR USER PASSWORD")
	}
	out, err := exec.Command("git", "--exec-path").Output()
	ts.Check(err)
	backend := &cgi.Handler{
		Path:   filepath.Join(strings.TrimSpace(string(out)), "git-http-backend"),
		Stderr: io.Discard,
		Env:    []string{"GIT_PROJECT_ROOT=" + ts.MkAbs(args[0]), "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "HOME=" + ts.Getenv("HOME")},
	}
	user, password := args[1], args[2]
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	ts.Defer(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	ca := ts.MkAbs(".git-ca.pem")
	ts.Check(os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644))
	ts.Setenv("GIT_SSL_CAINFO", ca)
	ts.Setenv("GIT_HTTPS_HOST", srv.Listener.Addr().String())
}

// sshServeScript stands in for ssh (git calls it as OpenSSH: options, the
// destination, then the command): it records the destination git gave it
// and runs the command — git-upload-pack of a local repository, the real
// server side of git's ssh transport — on this machine.
const sshServeScript = `#!/bin/sh
while [ $# -gt 2 ]; do shift; done
printf '%s\n' "$1" >> '@LOG@'
exec sh -c "$2"
`

// cmdSSHServe makes git's ssh:// transport reach the repositories of this
// machine: sshserve LOG sets GIT_SSH_COMMAND to a stand-in for ssh that
// appends each destination git asks for (user@host, as git read it from
// the URL) to LOG and runs git-upload-pack locally, so a git::ssh://URL
// with any user-info at any host fetches $WORK paths.
func cmdSSHServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sshserve LOG")
	}
	bin := ts.MkAbs(".sshserve")
	ts.Check(os.MkdirAll(bin, 0o755))
	script := strings.ReplaceAll(sshServeScript, "@LOG@", ts.MkAbs(args[0]))
	ts.Check(os.WriteFile(filepath.Join(bin, "ssh"), []byte(script), 0o755))
	ts.Setenv("GIT_SSH_COMMAND", filepath.Join(bin, "ssh"))
}

// fakeGitScript logs each invocation as one line — GIT_TERMINAL_PROMPT,
// GIT_ALLOW_PROTOCOL, then every argument, each field followed by 0x1f —
// and runs the real git. The line is written with one printf, so that the
// lines of git commands running at once (plugctl resolves in parallel) do
// not interleave.
const fakeGitScript = `#!/bin/sh
us=$(printf '\037')
line="$GIT_TERMINAL_PROMPT$us$GIT_ALLOW_PROTOCOL$us"
for a in "$@"; do line="$line$a$us"; done
printf '%s\n' "$line" >> '@LOG@'
exec '@REAL@' "$@"
`

// cmdFakeGit puts a git first on PATH that appends its argv to LOG and
// then runs the real git: fakegit LOG.
func cmdFakeGit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: fakegit LOG")
	}
	real, err := exec.LookPath("git")
	ts.Check(err)
	bin := ts.MkAbs(".fakegit")
	ts.Check(os.MkdirAll(bin, 0o755))
	script := strings.NewReplacer("@LOG@", ts.MkAbs(args[0]), "@REAL@", real).Replace(fakeGitScript)
	ts.Check(os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755))
	ts.Setenv("PATH", bin+string(os.PathListSeparator)+ts.Getenv("PATH"))
}

// cmdGitArgv checks the log of fakegit: every git run had prompts off, the
// transports limited and ext:: and fd:: disabled, and every argument that
// holds one of the VALUEs (a URL) or a commit hash comes after "--" or
// "--end-of-options"; with -n, at least N git runs were logged:
// gitargv LOG [-n N] VALUE...
func cmdGitArgv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: gitargv LOG [-n N] VALUE...")
	}
	log, values, least := args[0], args[1:], 1
	if values[0] == "-n" && len(values) > 2 {
		n, err := strconv.Atoi(values[1])
		ts.Check(err)
		least, values = n, values[2:]
	}
	data := ts.ReadFile(log)
	lines := strings.Split(strings.TrimSuffix(data, "\n"), "\n")
	if data == "" || len(lines) < least {
		ts.Fatalf("%s: %d git runs logged, want at least %d", log, len(lines), least)
	}
	for _, line := range lines {
		f := strings.Split(strings.TrimSuffix(line, "\x1f"), "\x1f")
		prompt, protocols, argv := f[0], f[1], f[2:]
		if prompt != "0" || protocols != "file:https:ssh" {
			ts.Fatalf("git %q ran with GIT_TERMINAL_PROMPT=%q GIT_ALLOW_PROTOCOL=%q", argv, prompt, protocols)
		}
		if !slices.Contains(argv, "protocol.ext.allow=never") || !slices.Contains(argv, "protocol.fd.allow=never") {
			ts.Fatalf("git %q ran without ext:: and fd:: disabled", argv)
		}
		end := slices.IndexFunc(argv, func(a string) bool { return a == "--" || a == "--end-of-options" })
		if end < 0 {
			end = len(argv)
		}
		for i, a := range argv[:end] {
			if commitRE.MatchString(a) {
				ts.Fatalf("git %q: argument %d is a commit hash before -- or --end-of-options", argv, i)
			}
			for _, v := range values {
				if strings.Contains(a, v) && !strings.HasPrefix(a, "--git-dir=") && !strings.HasPrefix(a, "--output=") {
					ts.Fatalf("git %q: argument %d (%q) holds %q before -- or --end-of-options", argv, i, a, v)
				}
			}
		}
	}
	ts.Logf("%d git runs checked", len(lines))
}

// commitRE matches an abbreviated or full commit hash.
var commitRE = regexp.MustCompile(`^[0-9a-f]{7,64}$`)

// cmdNoSecret fails if SECRET appears in any file under the PATHs (files
// or directories, binaries included, .gz files decompressed): nosecret
// SECRET PATH...
func cmdNoSecret(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: nosecret SECRET PATH...")
	}
	secret := []byte(args[0])
	files := 0
	for _, root := range args[1:] {
		ts.Check(filepath.WalkDir(ts.MkAbs(root), func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if strings.HasSuffix(path, ".gz") {
				// A bundle: search what it holds, not its compressed
				// bytes.
				zr, err := gzip.NewReader(bytes.NewReader(data))
				if err != nil {
					return err
				}
				if data, err = io.ReadAll(zr); err != nil {
					return err
				}
			}
			files++
			if bytes.Contains(data, secret) {
				ts.Fatalf("%s holds the secret %q", path, secret)
			}
			return nil
		}))
	}
	ts.Logf("%d files searched", files)
}
