package config

import (
	"reflect"
	"testing"
)

func TestParseTarget(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    Target
		wantErr string
	}{
		{"linux/amd64", Target{"linux", "amd64"}, ""},
		{"wasip1/wasm", Target{"wasip1", "wasm"}, ""},
		{"windows/arm64", Target{"windows", "arm64"}, ""},
		{"windows/arm", Target{}, `unknown target "windows/arm", did you mean "windows/arm64"? (valid windows targets: windows/386, windows/amd64, windows/arm64)`},
		{"Linux/amd64", Target{}, `unknown target "Linux/amd64", did you mean "linux/amd64"?`},
		{"", Target{}, `unknown target "" (valid: os/arch with os one of aix, android, darwin, dragonfly, freebsd, illumos, ios, js, linux, netbsd, openbsd, plan9, solaris, wasip1, windows; see go tool dist list)`},
		{"linux/amd64/v3", Target{}, `unknown target "linux/amd64/v3", did you mean "linux/amd64"? (valid linux targets: linux/386, linux/amd64, linux/arm, linux/arm64, linux/loong64, linux/mips, linux/mips64, linux/mips64le, linux/mipsle, linux/ppc64, linux/ppc64le, linux/riscv64, linux/s390x)`},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTarget(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("ParseTarget(%q) error = %v, want %s", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseTarget(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseTargets(t *testing.T) {
	got, err := ParseTargets([]string{"linux/amd64", "darwin/arm64"})
	if want := []Target{{"linux", "amd64"}, {"darwin", "arm64"}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseTargets = %v, %v; want %v", got, err, want)
	}
	if _, err := ParseTargets([]string{"linux/amd64", "linux/amd64"}); err == nil || err.Error() != `duplicate target "linux/amd64"` {
		t.Errorf("ParseTargets with a duplicate: %v", err)
	}
	if _, err := ParseTargets([]string{"linux/amd64", "x/y"}); err == nil {
		t.Error("ParseTargets accepted x/y")
	}
	if n := len(Targets()); n != 48 {
		t.Errorf("len(Targets()) = %d, want 48", n)
	}
}

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
	if got, want := c.OutputPath(Target{"linux", "arm64"}, "v1.2.3"), "dist/app-v1.2.3/linux_arm64/app"; got != want {
		t.Errorf("OutputPath = %q, want %q", got, want)
	}
}
