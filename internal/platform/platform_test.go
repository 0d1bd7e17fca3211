package platform

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
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
			got, err := Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("Parse(%q) error = %v, want %s", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseList(t *testing.T) {
	got, err := ParseList([]string{"linux/amd64", "darwin/arm64"})
	if want := []Target{{"linux", "amd64"}, {"darwin", "arm64"}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseList = %v, %v; want %v", got, err, want)
	}
	if _, err := ParseList([]string{"linux/amd64", "linux/amd64"}); err == nil || err.Error() != `duplicate target "linux/amd64"` {
		t.Errorf("ParseList with a duplicate: %v", err)
	}
	if _, err := ParseList([]string{"linux/amd64", "x/y"}); err == nil {
		t.Error("ParseList accepted x/y")
	}
	if n := len(All()); n != 48 {
		t.Errorf("len(All()) = %d, want 48", n)
	}
}
