package build

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCulprits(t *testing.T) {
	owners := map[string]string{
		"example.com/core":        "core",
		"example.com/metrics":     "metrics",
		"example.com/metrics/sub": "sub",
	}
	notes := map[string]string{"core": `plug "metrics" raised example.com/lib v0.2.0 → v0.3.0`, "sub": ""}
	tests := []struct {
		name, stderr, want string
	}{
		{"package header", "# example.com/metrics/plug\nexample.com/metrics/plug/p.go:3:9: undefined: x\n", "compile failed in plug \"metrics\":\n"},
		{"longest module wins", "# example.com/metrics/sub/x\n", "compile failed in plug \"sub\":\n"},
		{"core and plug", "# example.com/core/app\n# example.com/metrics\n", "compile failed in core, plug \"metrics\" (plug \"metrics\" raised example.com/lib v0.2.0 → v0.3.0):\n"},
		{"versioned path", "example.com/metrics@v1.2.0/p.go:1:1: x\n", "compile failed in plug \"metrics\":\n"},
		{"unknown", "# plugctl.build/x\n./main.go:1:1: y\n", "compile failed:\n"},
		{"a note of the core", "# example.com/core/log\n", "compile failed in core (plug \"metrics\" raised example.com/lib v0.2.0 → v0.3.0):\n"},
	}
	// A build module whose local/geo links to the geo plug's directory.
	dir := t.TempDir()
	src := filepath.Join(dir, "src", "geo")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	mod := filepath.Join(dir, "gen")
	if err := os.MkdirAll(filepath.Join(mod, "local"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(src, filepath.Join(mod, "local", "example.com_geo")); err != nil {
		t.Fatal(err)
	}
	real, _ := filepath.EvalSymlinks(src)
	o := Options{Dir: mod, Owners: owners, Notes: notes, Sources: map[string]string{filepath.ToSlash(real): "geo", "local/example.com_audit": "audit"}}
	tests = append(tests, []struct{ name, stderr, want string }{
		{"file through a link", "local/example.com_geo/geo.go:1:1: expected 'package', found packag\n", "compile failed in plug \"geo\":\n"},
		{"file of a tree's copy", "local/example.com_audit/a.go:3:2: syntax error\n", "compile failed in plug \"audit\":\n"},
		{"vendored file", "vendor/example.com/metrics/p.go:1:1: expected 'package'\n", "compile failed in plug \"metrics\":\n"},
		{"two package names", "found packages geo (geo.go) and other (other.go) in " + real + "\n", "compile failed in plug \"geo\":\n"},
		{"import cycle", "package plugctl.build/x\n\timports example.com/metrics\n\timports example.com/metrics: import cycle not allowed\n", "compile failed in plug \"metrics\":\n"},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := culprits(tt.stderr, o); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCompileError: each position is shown as Locate says, with its plug
// (the file's owner, else its package's), and the output rewritten alike.
func TestCompileError(t *testing.T) {
	o := Options{
		Dir:     "/gen",
		Owners:  map[string]string{"example.com/audit": "audit", "example.com/metrics": "metrics"},
		Sources: map[string]string{"local/example.com_audit": "audit"},
		Locate: func(path string) string {
			switch {
			case strings.HasPrefix(path, "/gen/local/example.com_audit/"):
				return "audit/" + strings.TrimPrefix(path, "/gen/local/example.com_audit/")
			case strings.HasPrefix(path, "/home/u/go/pkg/mod/"):
				return strings.TrimPrefix(path, "/home/u/go/pkg/mod/")
			}
			return ""
		},
	}
	stderr := "# example.com/audit\nlocal/example.com_audit/audit.go:63:2: undefined: x\n# example.com/metrics/plug\n../home/u/go/pkg/mod/example.com/metrics@v1.2.0/p.go:3: undefined: y\n\thave ()\n"
	e := compileError(stderr, o)
	want := []Problem{
		{File: "audit/audit.go", Line: 63, Col: 2, Plug: "audit", Msg: "undefined: x"},
		{File: "example.com/metrics@v1.2.0/p.go", Line: 3, Plug: "metrics", Msg: "undefined: y"},
	}
	if !slices.Equal(e.Problems, want) || !slices.Equal(e.Plugs, []string{"audit", "metrics"}) {
		t.Errorf("problems %+v, plugs %q", e.Problems, e.Plugs)
	}
	if got, wantErr := e.Error(), "compile failed in plug \"audit\", plug \"metrics\":\n# example.com/audit\naudit/audit.go:63:2: undefined: x\n# example.com/metrics/plug\nexample.com/metrics@v1.2.0/p.go:3: undefined: y\n\thave ()\n"; got != wantErr {
		t.Errorf("Error() = %q, want %q", got, wantErr)
	}
}
