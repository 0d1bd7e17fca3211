package versions

import (
	"slices"
	"strings"
	"testing"
)

var versions = []string{"v0.1.0", "v0.2.0", "v0.2.1", "v0.2.2-rc.1", "v0.3.0", "v1.0.0", "v1.1.0-beta.1"}

func TestMatch(t *testing.T) {
	tests := []struct {
		name, constraint, want string
	}{
		{"caret picks the highest minor", "^0.2.0", "v0.2.1"},
		{"caret on a major", "^1", "v1.0.0"},
		{"tilde stays on the minor", "~0.2.0", "v0.2.1"},
		{"range", ">=0.2.0 <0.3.0", "v0.2.1"},
		{"range across minors", ">=0.1.0 <1", "v0.3.0"},
		{"or", "~0.1.0 || ~0.2.0", "v0.2.1"},
		{"pre-release only when named", ">=0.2.2-rc.1 <0.3.0", "v0.2.2-rc.1"},
		{"pre-release beats nothing", "~1.1.0-0", "v1.1.0-beta.1"},
		{"no pre-release for a plain constraint", ">=1.0.0", "v1.0.0"},
		{"plain version is an equality", "0.2.0", "v0.2.0"},
		{"no match", "^0.9.0", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := Match(tt.constraint, versions)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Match(%q) = %q, %v; want %q", tt.constraint, got, ok, tt.want)
			}
		})
	}
	if _, _, err := Match("not a constraint", versions); err == nil {
		t.Error("Match accepted an invalid constraint")
	}
}

func TestNewest(t *testing.T) {
	tests := []struct {
		name     string
		versions []string
		want     string
	}{
		{"highest release, not a newer pre-release", versions, "v1.0.0"},
		{"only pre-releases", []string{"v0.1.0-a", "v0.2.0-b"}, "v0.2.0-b"},
		{"incompatible", []string{"v1.0.0", "v2.0.0+incompatible"}, "v2.0.0+incompatible"},
		{"none", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Newest(tt.versions); got != tt.want {
				t.Errorf("Newest = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNearest(t *testing.T) {
	tests := []struct {
		name, constraint string
		want             []string
	}{
		{"around the version asked for", "^0.2.5", []string{"v0.2.1", "v0.2.2-rc.1", "v0.3.0", "v1.0.0"}},
		{"below everything", "~0.0.1", []string{"v0.1.0", "v0.2.0", "v0.2.1", "v0.2.2-rc.1"}},
		{"above everything", ">=9", []string{"v0.2.2-rc.1", "v0.3.0", "v1.0.0", "v1.1.0-beta.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Nearest(tt.constraint, versions, 4)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Nearest(%q) = %v, want %v", tt.constraint, got, tt.want)
			}
		})
	}
	if got := Nearest("^1", []string{"v1.0.0"}, 4); !slices.Equal(got, []string{"v1.0.0"}) {
		t.Errorf("Nearest with few versions = %v", got)
	}
}

func TestIsExact(t *testing.T) {
	for v, want := range map[string]bool{
		"v1.2.3":                             true,
		"v1.2.3-rc.1":                        true,
		"v0.0.0-20240102030405-abcdefabcdef": true,
		"v2.0.0+incompatible":                true,
		"v1.2":                               false,
		"1.2.3":                              false,
		"^1.2.3":                             false,
		"latest":                             false,
	} {
		if got := IsExact(v); got != want {
			t.Errorf("IsExact(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestIsCanonical(t *testing.T) {
	for v, want := range map[string]bool{
		"v1.2.3":              true,
		"v1.2.3-rc.1":         true,
		"v2.0.0+incompatible": false,
		"v1.2.3+build":        false,
		"v1.2":                false,
		"sub/v1.2.3":          false,
	} {
		if got := IsCanonical(v); got != want {
			t.Errorf("IsCanonical(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestIsCommit(t *testing.T) {
	sha1 := strings.Repeat("a1", 20)
	sha256 := strings.Repeat("0f", 32)
	tests := []struct {
		name        string
		s           string
		full, short bool
	}{
		{"sha-1", sha1, true, true},
		{"sha-256", sha256, true, false},
		{"abbreviated", "abcdef1", false, true},
		{"too short", "abcdef", false, false},
		{"41 digits", sha1 + "a", false, true},
		{"upper case", strings.ToUpper(sha1), false, false},
		{"not hex", strings.Repeat("g", 40), false, false},
		{"a tag", "v1.0.0", false, false},
		{"empty", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsCommit(tt.s); got != tt.full {
				t.Errorf("IsCommit(%q) = %v, want %v", tt.s, got, tt.full)
			}
			if got := IsShortCommit(tt.s); got != tt.short {
				t.Errorf("IsShortCommit(%q) = %v, want %v", tt.s, got, tt.short)
			}
		})
	}
}

func TestIsConstraint(t *testing.T) {
	for v, want := range map[string]bool{
		"^1.2":      true,
		">=1.0 <2":  true,
		"v1.2.3":    true,
		"main":      false,
		"not a one": false,
		"feature/x": false,
	} {
		if got := IsConstraint(v); got != want {
			t.Errorf("IsConstraint(%q) = %v, want %v", v, got, want)
		}
	}
}
