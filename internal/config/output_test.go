package config

import (
	"testing"

	"github.com/plugctl/plugctl/internal/platform"
)

func TestCheckOutput(t *testing.T) {
	for _, tt := range []struct {
		name, output string
		n            int
		wantErr      string
	}{
		{"empty means no override", "", 3, ""},
		{"plain", "dist/app", 1, ""},
		{"absolute", "/opt/out/{name}-{version}", 1, ""},
		{"all placeholders", "out/{name}_{version}_{os}_{arch}", 5, ""},
		{"several targets need os and arch", "dist/{name}-{arch}", 2, `"dist/{name}-{arch}" must contain {os} and {arch} when building 2 targets, or the artifacts would overwrite each other (valid: like dist/{name}_{os}_{arch})`},
		{"unknown placeholder", "dist/{Name}", 1, `unknown placeholder {Name} in "dist/{Name}" (valid: {name} {os} {arch} {version})`},
		{"unclosed", "dist/{os", 1, `"dist/{os" has a '{' without '}' (valid placeholders: {name} {os} {arch} {version})`},
		{"directory", "dist/", 1, `"dist/" names a directory (valid: a file path like dist/{name})`},
		{"dot", ".", 1, `"." names a directory (valid: a file path like dist/{name})`},
		{"control", "dist/a\nb", 1, `"dist/a\nb" contains control character U+000A (valid: a file path)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckOutput(tt.output, tt.n)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("CheckOutput(%q, %d) = %v", tt.output, tt.n, err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("CheckOutput(%q, %d) = %v, want %s", tt.output, tt.n, err, tt.wantErr)
			}
		})
	}
}

func TestOutputPath(t *testing.T) {
	c := &Config{Name: "app", Build: Build{Output: "dist/{name}-{version}/{os}_{arch}/{name}"}}
	if got, want := c.OutputPath(platform.Target{OS: "linux", Arch: "arm64"}, "v1.2.3"), "dist/app-v1.2.3/linux_arm64/app"; got != want {
		t.Errorf("OutputPath = %q, want %q", got, want)
	}
}
