package adopt

import (
	"debug/buildinfo"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/lock"
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
