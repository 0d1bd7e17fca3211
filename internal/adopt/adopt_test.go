package adopt

import (
	"debug/buildinfo"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/profile"
)

func TestPlugName(t *testing.T) {
	tests := []struct{ mod, want string }{
		{"github.com/caddy-dns/cloudflare", "cloudflare"},
		{"example.com/metrics/v2", "metrics"},
		{"github.com/x/Caddy.Hello", "caddy-hello"},
		{"example.com/9lives", "lives"},
		{"example.com/_", "plug"},
	}
	for _, tt := range tests {
		if got := plugName(tt.mod); got != tt.want {
			t.Errorf("plugName(%s) = %s, want %s", tt.mod, got, tt.want)
		}
	}
}

func TestTarget(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]string
		want     string
	}{
		{"plain", map[string]string{"GOOS": "linux", "GOARCH": "amd64", "GOAMD64": "v1"}, "linux/amd64"},
		{"amd64 v3", map[string]string{"GOOS": "linux", "GOARCH": "amd64", "GOAMD64": "v3"}, "linux/amd64/v3"},
		{"arm v6", map[string]string{"GOOS": "linux", "GOARCH": "arm", "GOARM": "6"}, "linux/arm/v6"},
		{"arm default", map[string]string{"GOOS": "linux", "GOARCH": "arm", "GOARM": "7"}, "linux/arm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bi := &buildinfo.BuildInfo{}
			for k, v := range tt.settings {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: k, Value: v})
			}
			if got := Target(bi); got != tt.want {
				t.Errorf("Target = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	r := &Result{Core: "example.com/core", CoreVersion: "v1.0.0", Modules: []*debug.Module{
		{Path: "example.com/core", Version: "v1.0.0", Sum: "h1:core="},
		{Path: "example.com/dep", Version: "v0.1.0", Sum: "h1:dep="},
		{Path: "example.com/local", Version: "v0.0.0", Replace: &debug.Module{Path: "./local", Version: "(devel)"}},
	}}
	f := &lock.File{Core: lock.Entry{Module: "example.com/core", Version: "v1.0.0", Hash: "h1:core="},
		Modules: []lock.Module{{Path: "example.com/dep", Version: "v0.1.0", Hash: "h1:dep="}}}
	if bad := Check(r, f); len(bad) != 0 {
		t.Errorf("Check = %q, want none", bad)
	}
	f.Modules[0].Hash = "h1:other="
	if bad := Check(r, f); len(bad) != 1 || !strings.Contains(bad[0], "the binary was built with h1:dep=, the lock has h1:other=") {
		t.Errorf("Check = %q", bad)
	}
	f.Modules = nil
	if bad := Check(r, f); len(bad) != 1 || !strings.Contains(bad[0], "example.com/dep@v0.1.0: in the binary, not in the lock") {
		t.Errorf("Check = %q", bad)
	}
}

func TestOCBComponents(t *testing.T) {
	bi := &buildinfo.BuildInfo{Deps: []*debug.Module{
		{Path: "go.opentelemetry.io/collector/otelcol", Version: "v0.9.0"},
		{Path: "go.opentelemetry.io/collector/receiver", Version: "v0.9.0"},
		{Path: "example.com/contrib/receiver/fooreceiver", Version: "v0.9.0"},
		{Path: "example.com/contrib/things", Version: "v1.0.0"},
		{Path: "example.com/contrib/both", Version: "v1.0.0"},
		{Path: "example.com/contrib/dep", Version: "v1.0.0"},
	}}
	// What an ocb binary's data holds: the module texts of its generated
	// code, its function name table (NUL-separated), the build
	// information's own tab-separated lines.
	data := []byte("\x00go.opentelemetry.io/collector/receiver.NewFactory\x00" +
		"example.com/contrib/receiver/fooreceiver.NewFactory\x00" +
		"example.com/contrib/things/sinkexporter.NewFactory\x00" +
		"example.com/contrib/both/a.NewFactory\x00example.com/contrib/both/b.NewFactory\x00" +
		"example.com/contrib/receiver/fooreceiver v0.9.0example.com/contrib/things v1.0.0" +
		"example.com/contrib/both v1.0.0" +
		"dep\texample.com/contrib/dep\tv1.0.0\t")
	spec := profile.ByName("otelcol")
	comps, ok := ocbComponents(data, bi, bi.Deps[0], spec)
	if !ok {
		t.Fatal("no components found")
	}
	var got []string
	for _, c := range comps {
		got = append(got, fmt.Sprintf("%s %s %s %s %q", c.name, c.mod.Path, c.imp, c.kind, c.imports))
	}
	want := []string{
		`fooreceiver example.com/contrib/receiver/fooreceiver example.com/contrib/receiver/fooreceiver receiver []`,
		`things example.com/contrib/things example.com/contrib/things/sinkexporter exporter []`,
		`both example.com/contrib/both example.com/contrib/both  ["example.com/contrib/both/a" "example.com/contrib/both/b"]`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("ocbComponents =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, ok := ocbComponents([]byte("dep\texample.com/contrib/dep\tv1.0.0\t"), bi, bi.Deps[0], spec); ok {
		t.Error("components found in a binary that names no module as ocb does")
	}
}
