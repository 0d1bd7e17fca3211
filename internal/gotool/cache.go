package gotool

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/report"
)

// toolchainCache is what DetectCached keeps between runs.
type toolchainCache struct {
	Key       string    `json:"key"`
	Toolchain Toolchain `json:"toolchain"`
}

// DetectCached is Detect remembered in the user's cache directory
// (plugctl/toolchain-*.json under os.UserCacheDir): `go env` costs a process
// start (tens of milliseconds) that a build with nothing to do cannot
// afford. The answer is reused while the go command on PATH is the same file
// — same path, size and modification time — and GOROOT, and what places
// the module cache (GOMODCACHE, GOPATH, in the environment or go's env
// file, and the home directory), are unchanged; anything else asks go
// again. A cache that cannot be read or written is
// only slower.
func DetectCached(ctx context.Context, r report.Reporter) (Toolchain, error) {
	key := binaryKey()
	file := ""
	if dir, err := os.UserCacheDir(); err == nil && key != "" {
		sum := sha256.Sum256([]byte(key))
		file = filepath.Join(dir, "plugctl", "toolchain-"+hex.EncodeToString(sum[:8])+".json")
	}
	if file != "" {
		if data, err := os.ReadFile(file); err == nil {
			var c toolchainCache
			if json.Unmarshal(data, &c) == nil && c.Key == key && c.Toolchain.Version != "" {
				return c.Toolchain, nil
			}
		}
	}
	tc, err := Detect(ctx, r)
	if err != nil || file == "" {
		return tc, err
	}
	if data, jerr := json.Marshal(toolchainCache{Key: key, Toolchain: tc}); jerr == nil {
		_ = files.WriteFile(file, append(data, '\n'), 0o644)
	}
	return tc, nil
}

// binaryKey identifies the go command run would start, or "" when it cannot
// be found (Detect then reports the problem).
func binaryKey() string {
	path, err := exec.LookPath("go")
	if err != nil {
		return ""
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	key := path + "|" + strconv.FormatInt(fi.Size(), 10) + "|" + strconv.FormatInt(fi.ModTime().UnixNano(), 10) + "|GOROOT=" + os.Getenv("GOROOT")
	// What decides where the module cache is.
	file := userEnvFile()
	for _, v := range []string{"GOMODCACHE", "GOPATH"} {
		key += "|" + v + "=" + os.Getenv(v) + "|file " + v + "=" + file[v]
	}
	home, _ := os.UserHomeDir()
	return key + "|HOME=" + home
}
