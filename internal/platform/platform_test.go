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
		{"linux/amd64", Target{OS: "linux", Arch: "amd64"}, ""},
		{"wasip1/wasm", Target{OS: "wasip1", Arch: "wasm"}, ""},
		{"windows/arm64", Target{OS: "windows", Arch: "arm64"}, ""},
		{"windows/arm", Target{}, `unknown target "windows/arm", did you mean "windows/arm64"? (valid windows targets: windows/386, windows/amd64, windows/arm64)`},
		{"Linux/amd64", Target{}, `unknown target "Linux/amd64", did you mean "linux/amd64"?`},
		{"", Target{}, `unknown target "" (valid: os/arch with os one of aix, android, darwin, dragonfly, freebsd, illumos, ios, js, linux, netbsd, openbsd, plan9, solaris, wasip1, windows; see go tool dist list)`},
		{"linux/amd64/v3", Target{OS: "linux", Arch: "amd64", Variant: "v3"}, ""},
		{"linux/arm/v6", Target{OS: "linux", Arch: "arm", Variant: "v6"}, ""},
		{"linux/arm/v8", Target{}, `target "linux/arm/v8": unknown variant "v8" of arm (valid: v5, v6, v7, set as GOARM)`},
		{"linux/amd64/v5", Target{}, `target "linux/amd64/v5": unknown variant "v5" of amd64 (valid: v1, v2, v3, v4, set as GOAMD64)`},
		{"linux/s390x/z15", Target{}, `target "linux/s390x/z15": s390x has no variants (valid: linux/s390x, or a target whose architecture has variants: 386, amd64, arm, arm64, mips, mips64, mips64le, mipsle, ppc64, ppc64le, riscv64)`},
		{"windows/arm/v7", Target{}, `unknown target "windows/arm/v7", did you mean "windows/arm64"? (valid windows targets: windows/386, windows/amd64, windows/arm64)`},
		{"../linux/amd64", Target{}, `unknown target "../linux/amd64", did you mean "linux/amd64"?`},
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
	if want := []Target{{OS: "linux", Arch: "amd64"}, {OS: "darwin", Arch: "arm64"}}; err != nil || !reflect.DeepEqual(got, want) {
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

func TestVariantEnv(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want map[string]string
		arch string
	}{
		{"linux/arm/v6", map[string]string{"GOARM": "6"}, "armv6"},
		{"linux/amd64/v3", map[string]string{"GOAMD64": "v3"}, "amd64v3"},
		{"linux/arm64/v8.2", map[string]string{"GOARM64": "v8.2"}, "arm64v8.2"},
		{"linux/amd64", nil, "amd64"},
	} {
		tg, err := Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := tg.Env(); !reflect.DeepEqual(got, tt.want) || tg.ArchName() != tt.arch || tg.String() != tt.in {
			t.Errorf("%s: Env = %v, ArchName = %s, String = %s", tt.in, got, tg.ArchName(), tg)
		}
	}
}
