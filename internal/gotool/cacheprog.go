package gotool

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/run"
)

// A shared compile cache is the go command's business: GOCACHE and
// GOCACHEPROG (a program speaking the protocol of cmd/go/internal/cacheprog,
// https://go.dev/issue/64876) are the user's, passed to every go command
// plugctl runs as the shell or the go env file sets them, and recorded
// nowhere: the cache changes how fast a binary is built, never its bytes,
// so neither an artifact's record nor its SBOM names it.
//
// What plugctl adds is that a cache program that fails or hangs is a
// build failure naming it (exit 5), not a network or an unexplained one:
// go waits for a silent program forever, printing "still waiting" every
// five seconds, so before the first go command that opens the build cache
// plugctl asks the program itself (CheckCacheProg).

// EnvCacheProgTimeout bounds how long the cache program may take to
// announce itself and to answer one lookup (default DefaultCacheProgTimeout).
const EnvCacheProgTimeout = "PLUGCTL_CACHEPROG_TIMEOUT"

// DefaultCacheProgTimeout is the bound when EnvCacheProgTimeout is unset:
// the go command expects the announcement at once, and a lookup is one
// round trip to the store.
const DefaultCacheProgTimeout = 30 * time.Second

// CacheProgError is a go command, or plugctl's own check, that failed
// because the build cache program did.
type CacheProgError struct {
	Prog string // the value of GOCACHEPROG
	Err  error
}

func (e *CacheProgError) Error() string {
	return fmt.Sprintf("the build cache program GOCACHEPROG=%q failed (unset GOCACHEPROG to build without it): %v", e.Prog, e.Err)
}

func (e *CacheProgError) Unwrap() error { return e.Err }

// cacheProg returns the GOCACHEPROG the go command would be started with
// in env (Env's result): the last assignment wins, as in exec.Cmd.
func cacheProg(env []string) string {
	v := ""
	for _, kv := range env {
		if s, ok := strings.CutPrefix(kv, "GOCACHEPROG="); ok {
			v = s
		}
	}
	return v
}

// goCacheProgRE matches what the go command prints when its cache program
// fails (cmd/go/internal/cache/prog.go names it in every message).
var goCacheProgRE = regexp.MustCompile(`GOCACHEPROG`)

// cacheProgFailure returns a *CacheProgError, of kind fail.Compile, when
// the go command that failed with err in env failed because of its cache
// program; nil otherwise.
func cacheProgFailure(env []string, err error) error {
	prog := cacheProg(env)
	var re *run.Error
	if prog == "" || !errors.As(err, &re) || !goCacheProgRE.MatchString(re.Stderr) {
		return nil
	}
	return fail.Wrap(fail.Compile, &CacheProgError{Prog: prog, Err: err})
}

// opensCache reports whether `go args...` opens the build cache, and so
// starts the cache program: everything that loads packages. go env and go
// version do not, nor the module queries (go list -m, go mod download).
func opensCache(args []string) bool {
	if len(args) == 0 {
		return false
	}
	switch args[0] {
	case "env", "version":
		return false
	case "list":
		for _, a := range args[1:] {
			if a == "-m" {
				return false
			}
		}
	case "mod":
		return len(args) > 1 && args[1] != "download"
	}
	return true
}

// checked remembers, per GOCACHEPROG value, the result of checking it:
// once per plugctl process.
var checked = struct {
	sync.Mutex
	m map[string]error
}{m: map[string]error{}}

// checkCacheProgOnce runs CheckCacheProg for the cache program env names,
// once per process and value; nil when there is none.
func checkCacheProgOnce(ctx context.Context, env []string) error {
	prog := cacheProg(env)
	if prog == "" {
		return nil
	}
	checked.Lock()
	defer checked.Unlock()
	if err, ok := checked.m[prog]; ok {
		return err
	}
	timeout, err := cacheProgTimeout()
	if err != nil {
		return err
	}
	err = CheckCacheProg(ctx, prog, env, timeout)
	if ctx.Err() == nil {
		checked.m[prog] = err
	}
	return err
}

// cacheProgTimeout reads EnvCacheProgTimeout.
func cacheProgTimeout() (time.Duration, error) {
	v := os.Getenv(EnvCacheProgTimeout)
	if v == "" {
		return DefaultCacheProgTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fail.New(fail.Config, "%s=%q: not a positive duration (valid: a Go duration like 90s or 5m)", EnvCacheProgTimeout, v)
	}
	return d, nil
}

// progMessage is the part of the protocol's Response CheckCacheProg reads.
type progMessage struct {
	ID            int64
	Err           string
	KnownCommands []string
	Miss          bool
}

// CheckCacheProg starts the cache program prog (a command line, split as
// the go command splits it) with env and checks that it speaks the
// protocol within timeout: it must announce the commands it knows, "get"
// among them, and answer a lookup of a key no build makes (any answer but
// an error will do). It then asks the program to close. The error is a
// *CacheProgError of kind fail.Compile.
func CheckCacheProg(ctx context.Context, prog string, env []string, timeout time.Duration) error {
	bad := func(format string, args ...any) error {
		return fail.Wrap(fail.Compile, &CacheProgError{Prog: prog, Err: fmt.Errorf(format, args...)})
	}
	argv, err := splitCommand(prog)
	if err != nil {
		return bad("%v", err)
	}
	if len(argv) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.WaitDelay = time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return bad("%v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return bad("%v", err)
	}
	var stderr strings.Builder
	cmd.Stderr = &limitedWriter{w: &stderr, n: run.MaxStderr}
	if err := cmd.Start(); err != nil {
		return bad("starting it: %v", err)
	}
	msgs := make(chan progMessage)
	readErr := make(chan error, 1)
	go func() {
		defer close(msgs)
		dec := json.NewDecoder(bufio.NewReader(stdout))
		for {
			var m progMessage
			if err := dec.Decode(&m); err != nil {
				readErr <- err
				return
			}
			select {
			case msgs <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	// next waits for the answer to request id.
	next := func(id int64, what string) (progMessage, error) {
		for {
			select {
			case m, ok := <-msgs:
				if !ok {
					var err error
					select {
					case err = <-readErr:
					default:
						err = ctx.Err()
					}
					_ = cmd.Wait()
					if errors.Is(err, io.EOF) {
						return m, fmt.Errorf("it exited before %s%s", what, said(&stderr))
					}
					return m, fmt.Errorf("reading its answer: %v%s", err, said(&stderr))
				}
				if m.ID == id {
					return m, nil
				}
			case <-ctx.Done():
				if ctx.Err() == context.DeadlineExceeded {
					return progMessage{}, fmt.Errorf("it hung: %s took longer than %v (%s)%s", what, timeout, EnvCacheProgTimeout, said(&stderr))
				}
				return progMessage{}, ctx.Err()
			}
		}
	}
	// stop closes the program's input, which tells it to exit, and
	// kills it if it has not within a second.
	stop := func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Second):
			cancel()
			<-done
		}
	}
	hello, err := next(0, "announcing the commands it knows")
	if err != nil {
		stop()
		return bad("%w", err)
	}
	knows := map[string]bool{}
	for _, c := range hello.KnownCommands {
		knows[c] = true
	}
	if !knows["get"] {
		stop()
		return bad("it announced %q, not the command get", hello.KnownCommands)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	if err := json.NewEncoder(stdin).Encode(map[string]any{"ID": 1, "Command": "get", "ActionID": key}); err != nil {
		stop()
		return bad("writing to it: %v", err)
	}
	got, err := next(1, "answering a lookup")
	if err != nil {
		stop()
		return bad("%w", err)
	}
	if got.Err != "" {
		stop()
		return bad("a lookup failed: %s", got.Err)
	}
	if knows["close"] {
		_ = json.NewEncoder(stdin).Encode(map[string]any{"ID": 2, "Command": "close"})
		_, _ = next(2, "closing")
	}
	stop()
	return nil
}

// said returns what a program wrote to its standard error, as the end of
// a message, sanitised for a terminal.
func said(stderr *strings.Builder) string {
	if s := strings.TrimSpace(stderr.String()); s != "" {
		return ": " + run.Sanitize(s)
	}
	return ""
}

// limitedWriter keeps the first n bytes written to it.
type limitedWriter struct {
	mu sync.Mutex
	w  io.Writer
	n  int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n > 0 {
		k := min(l.n, len(p))
		l.n -= k
		_, _ = l.w.Write(p[:k])
	}
	return len(p), nil
}

// splitCommand splits a GOCACHEPROG value into its program and arguments
// as the go command does (cmd/internal/quoted.Split): fields separated by
// white space, a field wholly in single or double quotes taken as it is.
func splitCommand(s string) ([]string, error) {
	var f []string
	for {
		s = strings.TrimLeft(s, " \t\n\r")
		if s == "" {
			return f, nil
		}
		if q := s[0]; q == '\'' || q == '"' {
			i := strings.IndexByte(s[1:], q)
			if i < 0 {
				return nil, fmt.Errorf("unterminated %c string", q)
			}
			f = append(f, s[1:i+1])
			s = s[i+2:]
			continue
		}
		i := strings.IndexAny(s, " \t\n\r")
		if i < 0 {
			return append(f, s), nil
		}
		f = append(f, s[:i])
		s = s[i:]
	}
}
