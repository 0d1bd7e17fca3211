package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/report"
)

// TestReuseExactPins builds nothing: it records an artifact as a build
// would and asks Reuse whether the config alone allows reusing it. A core
// pinned to one version — a release, a pseudo-version or a +incompatible
// version — needs no lock for that; a constraint does.
func TestReuseExactPins(t *testing.T) {
	tests := []struct {
		name, version string
		reused        bool
	}{
		{"release", "v1.4.2", true},
		{"pseudo-version", "v1.4.3-0.20240102030405-abcdefabcdef", true},
		// Was not reused before versions.IsExact became the one rule: the
		// pipeline's own copy forgot +incompatible.
		{"incompatible", "v2.0.0+incompatible", true},
		{"constraint", "^1.4", false},
		{"latest", "latest", false},
	}
	target := platform.Target{OS: "linux", Arch: "amd64"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := "schema: 1\nname: app\ncore:\n  module: example.com/server\n  version: " + tt.version + "\n"
			if err := os.WriteFile(filepath.Join(dir, "plugconfig.yaml"), []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			load := func() *State {
				c, err := config.Load(filepath.Join(dir, "plugconfig.yaml"))
				if err != nil {
					t.Fatal(err)
				}
				return &State{Config: c, R: report.Discard, Toolchain: gotool.Toolchain{Version: "go1.26.8", GOOS: "linux", GOARCH: "amd64"}, Targets: []platform.Target{target}}
			}
			// What a build leaves behind: the binary and its record.
			p := load()
			out := p.outputFor(target, tt.version)
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(out, []byte("binary"), 0o755); err != nil {
				t.Fatal(err)
			}
			in, err := p.artifactInputs()
			if err != nil {
				t.Fatal(err)
			}
			sum, size, err := artifact.Hash(out)
			if err != nil {
				t.Fatal(err)
			}
			rec := &artifact.Record{Schema: artifact.RecordSchema, Target: target.String(), Digest: in.Digest(target.String()), Inputs: in, SHA256: sum, Size: size}
			if err := artifact.Write(out, rec, artifact.Sides{CycloneDX: []byte("{}"), SPDX: []byte("{}"), Provenance: []byte("{}")}, p.statDir()); err != nil {
				t.Fatal(err)
			}

			s := load()
			if err := s.reuse(context.Background()); err != nil {
				t.Fatal(err)
			}
			arts, ok := s.Artifacts(), s.done
			if ok != tt.reused {
				t.Fatalf("Reuse with core version %s = %v, want %v", tt.version, ok, tt.reused)
			}
			if ok && (len(arts) != 1 || arts[0].Path != out || !arts[0].Reused) {
				t.Errorf("Reuse = %+v, want %s reused", arts, out)
			}
		})
	}
}
