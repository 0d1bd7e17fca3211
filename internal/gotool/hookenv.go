package gotool

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"slices"

	"github.com/plugctl/plugctl/internal/report"
)

// hookGoVars are the go command's variables a build-time hook receives
// with the values plugctl's own go commands use: where modules come from
// and are kept, where builds are cached. Without GOCACHE, GOMODCACHE and
// GOPATH the go command would put them under the hook's empty HOME.
var hookGoVars = []string{"GOPROXY", "GONOPROXY", "GOPRIVATE", "GONOSUMDB", "GOSUMDB", "GOINSECURE", "GOMODCACHE", "GOCACHE", "GOCACHEPROG", "GOPATH"}

// HookEnv returns the whole environment of a plug's build-time hook, which
// inherits nothing else from plugctl's: PATH; HOME and TMPDIR, the
// directories home and tmp (fresh and empty, made for the hook); the go
// command's settings plugctl decides for every go command (GOTOOLCHAIN=local,
// GOFLAGS empty, GOWORK and GOENV off, GO111MODULE=on, CGO_ENABLED=0); and
// the values of hookGoVars that plugctl's own go commands see, asked of the
// go command once (go env) so that the user's go env file counts. A token
// in the user's environment, a GITHUB_TOKEN or an AWS key, thus never
// reaches a hook; a credential inside GOPROXY's URL does, as it reaches the
// go command. The list is sorted.
func HookEnv(ctx context.Context, r report.Reporter, home, tmp string) ([]string, error) {
	out, err := Go(ctx, r, "", nil, append([]string{"env", "-json"}, hookGoVars...)...)
	if err != nil {
		return nil, fmt.Errorf("reading the go command's settings for hooks: %w", err)
	}
	var vals map[string]string
	if err := json.Unmarshal(out, &vals); err != nil {
		return nil, fmt.Errorf("reading go env: %w", err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"TMPDIR=" + tmp,
		"GOTOOLCHAIN=local",
		"GOFLAGS=",
		"GOWORK=off",
		"GOENV=off",
		"GO111MODULE=on",
		"CGO_ENABLED=0",
	}
	if runtime.GOOS == "windows" {
		// Windows programs need these to start at all; they say where
		// the system is, nothing of the user's.
		env = append(env, "SYSTEMROOT="+os.Getenv("SYSTEMROOT"), "TMP="+tmp, "TEMP="+tmp, "USERPROFILE="+home)
	}
	for _, k := range hookGoVars {
		if v := vals[k]; v != "" {
			env = append(env, k+"="+v)
		}
	}
	slices.Sort(env)
	return env, nil
}
