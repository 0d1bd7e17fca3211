//go:build realcores

package cli_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/plugctl/plugctl/internal/testenv"
)

// TestRealCores is the real-world tier (make test-real; not part of make
// test or CI, and it needs the module proxy): each script of testdata/real
// builds a real core — Caddy, the OpenTelemetry Collector, CoreDNS,
// Benthos — from the config in examples/real docs/migrating.md shows, with its
// profile, and runs the binary to prove its plugs are wired; cosign.txtar
// installs cosign and verifies a signed build's provenance with it. Modules come
// from the developer's own GOPROXY into the developer's module cache, so
// a second run downloads nothing.
func TestRealCores(t *testing.T) {
	repo := testenv.RepoRoot(t)
	gocache := testenv.GoCache(t)
	env := func(name string) string {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	modcache, proxy, sumdb := env("GOMODCACHE"), env("GOPROXY"), env("GOSUMDB")
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "real"),
		Setup: func(e *testscript.Env) error {
			home := filepath.Join(e.WorkDir, ".home")
			if err := os.MkdirAll(home, 0o755); err != nil {
				return err
			}
			for k, v := range map[string]string{
				"REPO": repo, "HOME": home, "GOCACHE": gocache, "GOMODCACHE": modcache,
				"GOPROXY": proxy, "GOSUMDB": sumdb, "GOTOOLCHAIN": "local", "GOFLAGS": "",
				"NO_COLOR": "1", "PLUGCTL_TEST_STATUS": filepath.Join(e.WorkDir, ".status"),
			} {
				e.Setenv(k, v)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"realexample": cmdRealExample,
			"example":     cmdExample,
			"freeport":    cmdFreePort,
			"waitport":    cmdWaitPort,
			"otlppost":    cmdOTLPPost,
			"dnsquery":    cmdDNSQuery,
			"envsubst":    cmdEnvsubst,
			"stripped":    cmdStripped,
			"buildinfo":   cmdBuildInfo,
			"status":      cmdStatus,
			"gitmodule":   cmdGitModule,
			"httpget":     cmdHTTPGet,
		},
	})
}

// cmdRealExample copies examples/real of the repository into the script's
// directory: realexample. A config's state and lock are then written
// beside the copy, never into the repository.
func cmdRealExample(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: realexample")
	}
	src := filepath.Join(ts.Getenv("REPO"), "examples", "real")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		dst := ts.MkAbs(rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	ts.Check(err)
}

// cmdGitModule makes a git repository in DIR from a module of the module
// cache, downloaded first, committed as it is and tagged with its version
// (gitmodule MODULE@VERSION DIR): a local clone of the module's upstream
// at that tag, for building a core from a git source. Commits are dated
// 2024-01-02T03:04:05Z, so pseudo-versions are known.
func cmdGitModule(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gitmodule MODULE@VERSION DIR")
	}
	mod, version, _ := strings.Cut(args[0], "@")
	out, err := exec.Command("go", "mod", "download", "-json", args[0]).Output()
	ts.Check(err)
	var d struct{ Dir string }
	ts.Check(json.Unmarshal(out, &d))
	dst := ts.MkAbs(args[1])
	ts.Check(os.CopyFS(dst, os.DirFS(d.Dir)))
	ts.Check(filepath.WalkDir(dst, func(p string, e fs.DirEntry, err error) error {
		if err == nil {
			mode := os.FileMode(0o644)
			if e.IsDir() {
				mode = 0o755
			}
			err = os.Chmod(p, mode)
		}
		return err
	}))
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dst
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
			"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com",
			"GIT_AUTHOR_DATE=2024-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2024-01-02T03:04:05Z")
		if out, err := cmd.CombinedOutput(); err != nil {
			ts.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	git("init", "-q", "-b", "master")
	git("add", "-A")
	git("commit", "-q", "-m", mod+" "+version)
	git("tag", version)
}

// cmdFreePort sets NAME to a TCP port on 127.0.0.1 nothing listens on:
// freeport NAME.
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport NAME")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := l.Addr().(*net.TCPAddr).Port
	ts.Check(l.Close())
	ts.Setenv(args[0], fmt.Sprint(port))
}

// cmdWaitPort waits until something accepts TCP connections at ADDR, for
// up to a minute: waitport ADDR. It is a wait for a server started in the
// background, not a timed assertion.
func cmdWaitPort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitport ADDR")
	}
	deadline := time.Now().Add(time.Minute)
	for {
		c, err := net.DialTimeout("tcp", args[0], time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("nothing listens at %s: %v", args[0], err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cmdOTLPPost sends one OTLP/HTTP trace request (JSON, one span) to URL and
// prints the response's status: otlppost URL.
func cmdOTLPPost(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: otlppost URL")
	}
	const body = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"plugctl-test"}}]},` +
		`"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",` +
		`"name":"plugctl-real-tier","kind":1,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000"}]}]}]}`
	resp, err := http.Post(args[0], "application/json", strings.NewReader(body))
	if err != nil {
		if !neg {
			ts.Fatalf("otlppost: %v", err)
		}
		return
	}
	resp.Body.Close()
	fmt.Fprintln(ts.Stdout(), resp.Status)
	if (resp.StatusCode == http.StatusOK) == neg {
		ts.Fatalf("otlppost: %s", resp.Status)
	}
}

// cmdHTTPGet prints the body of a GET of URL, which must answer 200 OK:
// httpget URL.
func cmdHTTPGet(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: httpget URL")
	}
	resp, err := http.Get(args[0])
	ts.Check(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	ts.Check(err)
	if resp.StatusCode != http.StatusOK {
		ts.Fatalf("httpget %s: %s\n%s", args[0], resp.Status, body)
	}
	ts.Stdout().Write(body)
}

// cmdDNSQuery sends one DNS query over UDP and prints the answer's rcode
// and each A record: dnsquery ADDR NAME. A small client of its own, so the
// tier needs no dig.
func cmdDNSQuery(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: dnsquery ADDR NAME")
	}
	var q []byte
	q = binary.BigEndian.AppendUint16(q, 0x504c) // id
	q = binary.BigEndian.AppendUint16(q, 0x0100) // recursion desired
	q = binary.BigEndian.AppendUint16(q, 1)      // one question
	q = append(q, 0, 0, 0, 0, 0, 0)
	for _, label := range strings.Split(strings.TrimSuffix(args[1], "."), ".") {
		q = append(q, byte(len(label)))
		q = append(q, label...)
	}
	q = append(q, 0, 0, 1, 0, 1) // type A, class IN
	var resp []byte
	for try := 0; ; try++ {
		c, err := net.Dial("udp", args[0])
		ts.Check(err)
		c.SetDeadline(time.Now().Add(5 * time.Second))
		_, err = c.Write(q)
		buf := make([]byte, 1500)
		n := 0
		if err == nil {
			n, err = c.Read(buf)
		}
		c.Close()
		if err == nil {
			resp = buf[:n]
			break
		}
		if try == 10 {
			ts.Fatalf("dnsquery: %v", err)
		}
		time.Sleep(time.Second)
	}
	rcodes := []string{"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"}
	if len(resp) < 12 || binary.BigEndian.Uint16(resp) != 0x504c {
		ts.Fatalf("dnsquery: not an answer to the query: %x", resp)
	}
	rcode := int(resp[3] & 0x0f)
	name := fmt.Sprint(rcode)
	if rcode < len(rcodes) {
		name = rcodes[rcode]
	}
	fmt.Fprintln(ts.Stdout(), "rcode", name)
	answers := int(binary.BigEndian.Uint16(resp[6:]))
	off := len(q) // the question, echoed
	for range answers {
		var err error
		if off, err = skipName(resp, off); err != nil || off+10 > len(resp) {
			ts.Fatalf("dnsquery: malformed answer: %v", err)
		}
		typ, rdlen := binary.BigEndian.Uint16(resp[off:]), int(binary.BigEndian.Uint16(resp[off+8:]))
		off += 10
		if off+rdlen > len(resp) {
			ts.Fatalf("dnsquery: malformed answer")
		}
		if typ == 1 && rdlen == 4 {
			fmt.Fprintln(ts.Stdout(), "A", net.IP(resp[off:off+4]))
		}
		off += rdlen
	}
}

// skipName returns the offset after the DNS name at off.
func skipName(msg []byte, off int) (int, error) {
	for off < len(msg) {
		n := int(msg[off])
		switch {
		case n == 0:
			return off + 1, nil
		case n&0xc0 == 0xc0:
			return off + 2, nil
		}
		off += n + 1
	}
	return 0, errors.New("name runs past the message")
}
