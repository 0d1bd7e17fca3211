package build

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/report"
)

// TestCompileDiscard: with Discard, the binary a build replaces is freed
// by the caller: the new binary is in place, atomically renamed over the
// old one, and the directory handed over holds a link to the old one;
// Built is told of the new binary.
func TestCompileDiscard(t *testing.T) {
	t.Setenv("GOFLAGS", "")
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOWORK", "off")
	mod := t.TempDir()
	for name, data := range map[string]string{
		"go.mod":  "module example.com/hello\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() {}\n",
	} {
		if err := os.WriteFile(filepath.Join(mod, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "hello")
	if err := os.WriteFile(out, []byte("the old binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	var discarded, built []string
	_, err := Compile(context.Background(), report.Discard, Options{
		Dir: mod, Targets: []platform.Target{platform.Host()},
		Output:  func(platform.Target) string { return out },
		Discard: func(dir string) { discarded = append(discarded, dir) },
		Built:   func(a Artifact) { built = append(built, a.Path) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(out); err != nil || string(data) == "the old binary" {
		t.Fatalf("the binary was not replaced: %v", err)
	}
	if len(built) != 1 || built[0] != out {
		t.Errorf("Built got %q, want %s", built, out)
	}
	if len(discarded) != 1 {
		t.Fatalf("Discard got %q, want one directory", discarded)
	}
	if data, err := os.ReadFile(filepath.Join(discarded[0], "replaced")); err != nil || string(data) != "the old binary" {
		t.Errorf("the directory handed to Discard does not hold the old binary: %q, %v", data, err)
	}
	os.RemoveAll(discarded[0])
	if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 1 {
		t.Errorf("left beside the binary: %v", ents)
	}
}
