// Package gotool runs the go command with the explicit environment plugctl's
// reproducibility guarantee demands (docs/security.md), whatever the
// user's shell exports.
package gotool

import (
	"context"
	"encoding/json"
	"fmt"
	"go/version"
	"os"
	"strings"

	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/run"
)

// Env is the part of the environment plugctl decides for every go command.
// Anything not named here (GOPROXY, GOPRIVATE, GONOSUMDB, GOMODCACHE, GOCACHE,
// GOCACHEPROG, HOME and .netrc) is the user's: the build cache, local or
// shared through a cache program, changes how fast a binary builds, never
// its bytes, and no record or SBOM names it.
func Env(extra map[string]string) []string {
	set := map[string]string{
		"GOTOOLCHAIN": "local", // never download a toolchain behind the user's back
		"GOWORK":      "off",   // a go.work above the project must not change the build
		"GOFLAGS":     "",      // the user's GOFLAGS (-mod=mod, say) must not change the build
		"GOOS":        "",
		"GOARCH":      "",
		"CGO_ENABLED": "0",
		"GO111MODULE": "on",
	}
	// Per-architecture and experiment knobs change the code the compiler
	// emits; left to the shell they would make two builds of one config
	// differ. A target's own GOOS/GOARCH come in through extra.
	for _, k := range archKnobs {
		set[k] = ""
	}
	for k, v := range extra {
		set[k] = v
	}
	// The user's go env file would fill in every variable set empty
	// above; turn it off and carry over the rest of it (userEnvFile).
	for k, v := range userEnvFile() {
		if _, decided := set[k]; !decided && os.Getenv(k) == "" {
			set[k] = v
		}
	}
	set["GOENV"] = "off"
	return run.Environ(set)
}

// archKnobs are the environment variables, besides GOOS and GOARCH, that
// select instruction sets or compiler experiments.
var archKnobs = []string{"GOAMD64", "GOARM", "GOARM64", "GO386", "GOMIPS", "GOMIPS64", "GOPPC64", "GORISCV64", "GOWASM", "GOEXPERIMENT", "GOFIPS140"}

// Go runs `go args...` in dir with Env(extra). When it fails because of
// the machine — a build cache or temporary directory it cannot use, a full
// disk, a read-only file system — the error is a *fail.EnvError naming the
// path (exit 1), not the go command's own words.
//
// A build cache program (GOCACHEPROG) is checked before the first go
// command that starts it, and a go command that failed because of it is a
// *CacheProgError (exit 5); see cacheprog.go.
func Go(ctx context.Context, r report.Reporter, dir string, extra map[string]string, args ...string) ([]byte, error) {
	return Run(ctx, r, run.Cmd{Dir: dir}, extra, args...)
}

// Run is Go for a command whose output is read as it comes: c's Dir,
// Stdout and StderrLine are used, its Env and Args set from extra and args.
func Run(ctx context.Context, r report.Reporter, c run.Cmd, extra map[string]string, args ...string) ([]byte, error) {
	c.Env, c.Args = Env(extra), append([]string{"go"}, args...)
	if opensCache(args) {
		if err := checkCacheProgOnce(ctx, c.Env); err != nil {
			return nil, err
		}
	}
	out, err := run.Output(ctx, r, c)
	if err != nil {
		if env := environment(ctx, extra, err); env != nil {
			return out, env
		}
		if cp := cacheProgFailure(c.Env, err); cp != nil {
			return out, cp
		}
	}
	return out, err
}

// Toolchain describes the go command plugctl will build with.
type Toolchain struct {
	Version string // e.g. "go1.26.8"
	GOOS    string // host
	GOARCH  string // host
	// ModCache is the module cache go reads and fills (GOMODCACHE):
	// modules already there are read from it without asking go, and
	// compile errors inside it are shown as module@version/path.
	ModCache string `json:",omitempty"`
}

// Lang returns the language version for a go directive: "1.26" for go1.26.8.
func (t Toolchain) Lang() string {
	v := strings.TrimPrefix(t.Version, "go")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// GoLine returns the version a go.mod's go line names for t: its own
// version ("1.26.8" for go1.26.8), or its language version (Lang) when its
// version is not a release's (a development toolchain).
func (t Toolchain) GoLine() string {
	if version.IsValid(t.Version) {
		return strings.TrimPrefix(t.Version, "go")
	}
	return t.Lang()
}

// Detect asks the go command on PATH what it is.
func Detect(ctx context.Context, r report.Reporter) (Toolchain, error) {
	out, err := Go(ctx, r, "", nil, "env", "-json", "GOVERSION", "GOHOSTOS", "GOHOSTARCH", "GOMODCACHE")
	if err != nil {
		return Toolchain{}, fmt.Errorf("finding the go toolchain: %w", err)
	}
	var v struct{ GOVERSION, GOHOSTOS, GOHOSTARCH, GOMODCACHE string }
	if err := json.Unmarshal(out, &v); err != nil {
		return Toolchain{}, fmt.Errorf("reading go env: %w", err)
	}
	return Toolchain{Version: v.GOVERSION, GOOS: v.GOHOSTOS, GOARCH: v.GOHOSTARCH, ModCache: v.GOMODCACHE}, nil
}

// Query runs `go args...` in dir for a module query (go list -m, go mod
// download): unlike Go, it keeps the user's GOFLAGS (from the environment,
// else from their go env file), since flags such as -modcacherw are theirs
// to set for fetching, and adds -mod=mod so that a query never trips over a
// vendor directory or a read-only go.mod.
func Query(ctx context.Context, r report.Reporter, dir string, args ...string) ([]byte, error) {
	user := os.Getenv("GOFLAGS")
	if user == "" {
		user = userEnvFile()["GOFLAGS"]
	}
	flags := strings.TrimSpace(user + " -mod=mod")
	return Go(ctx, r, dir, map[string]string{"GOFLAGS": flags}, args...)
}
