package cli

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/spf13/cobra"
)

func TestCompletePlugNames(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plugconfig.yaml")
	cfg := `schema: 1
name: app
core: {module: example.com/core, version: v1.0.0}
plugins:
  - {name: metrics, module: example.com/metrics, version: ^1.0.0}
  - {name: audit, source: ./audit}
  - {name: mail, module: example.com/mail, version: v1.0.0, enabled: false}
`
	if err := os.WriteFile(file, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		file       string
		withCore   bool
		args       []string
		toComplete string
		want       []string
	}{
		{"enabled plugs, with their origin", file, false, nil, "", []string{"metrics\texample.com/metrics", "audit\t./audit"}},
		{"and the core", file, true, nil, "", []string{"core\tthe core: example.com/core", "metrics\texample.com/metrics", "audit\t./audit"}},
		{"prefix", file, true, nil, "m", []string{"metrics\texample.com/metrics"}},
		{"names given are left out", file, true, []string{"metrics", "core"}, "", []string{"audit\t./audit"}},
		{"no config, no completions", filepath.Join(dir, "missing.yaml"), true, nil, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, dir := completePlugNames(&globals{file: tt.file}, tt.withCore)(nil, tt.args, tt.toComplete)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if dir != cobra.ShellCompDirectiveNoFileComp {
				t.Errorf("directive %v, want NoFileComp", dir)
			}
		})
	}
}
