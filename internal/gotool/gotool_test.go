package gotool

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/report"
)

// TestEnvHostile checks that nothing in the user's environment or go env
// file changes what plugctl decides — flags, cgo, toolchain, target,
// instruction set — while what the user owns (the proxy and privacy
// settings) still comes through, from the environment first and the file
// second, as the go command itself would read them. The go command is asked
// what it sees.
func TestEnvHostile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "env")
	content := "GOFLAGS=-ldflags=-X=main.evil=1 -mod=mod\nGOAMD64=v3\nGOARM64=v9.0\nGOEXPERIMENT=boringcrypto\nCGO_ENABLED=1\n" +
		"GOTOOLCHAIN=go1.99.0\nGOOS=windows\nGOPRIVATE=private.example\nGONOSUMDB=nosum.example\n# a comment\nnot a setting\n"
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOENV", file)
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOAMD64", "")
	t.Setenv("CGO_ENABLED", "1")
	t.Setenv("GOWORK", filepath.Join(t.TempDir(), "go.work"))
	t.Setenv("GOPRIVATE", "")
	t.Setenv("GONOSUMDB", "env.example")

	env := Env(map[string]string{"GOARCH": "arm64"})
	for _, want := range []string{"GOENV=off", "GOFLAGS=", "GOAMD64=", "GOARM64=", "GOEXPERIMENT=", "CGO_ENABLED=0",
		"GOTOOLCHAIN=local", "GOOS=", "GOARCH=arm64", "GOWORK=off", "GOPRIVATE=private.example", "GONOSUMDB=env.example"} {
		if !slices.Contains(env, want) {
			t.Errorf("Env lacks %s", want)
		}
	}

	out, err := Go(context.Background(), report.Discard, t.TempDir(), nil, "env",
		"GOFLAGS", "GOAMD64", "GOEXPERIMENT", "CGO_ENABLED", "GOTOOLCHAIN", "GOOS", "GOPRIVATE", "GONOSUMDB")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	host, err := Go(context.Background(), report.Discard, t.TempDir(), nil, "env", "GOHOSTOS")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "v1", "", "0", "local", strings.TrimSpace(string(host)), "private.example", "env.example"}
	if got[1] == "" { // GOAMD64 is empty on other architectures
		want[1] = ""
	}
	if !slices.Equal(got, want) {
		t.Errorf("go env says %q, want %q", got, want)
	}
}
