package suggest

import (
	"slices"
	"testing"
)

var commands = []string{"add", "build", "bundle", "clean", "doctor", "generate", "init", "inspect", "lock", "man", "new", "outdated", "remove", "run", "schema", "validate", "vendor", "version"}

func TestNearest(t *testing.T) {
	targets := []string{"linux/amd64", "windows/386", "windows/amd64", "windows/arm64", "darwin/arm64"}
	keys := []string{"checksum", "enabled", "import", "module", "name", "settings", "source", "version"}
	top := []string{"build", "core", "name", "plugins", "replace", "schema", "vendor"}
	tests := []struct {
		name       string
		word       string
		candidates []string
		want       []string
	}{
		{"swap", "biuld", commands, []string{"build"}},
		{"missing letter", "sorce", keys, []string{"source"}},
		{"double letter", "setings", keys, []string{"settings"}},
		{"singular", "plugin", top, []string{"plugins"}},
		{"target", "window/amd64", targets, []string{"windows/amd64"}},
		{"case", "Build", commands, []string{"build"}},
		{"prefix", "gen", commands, []string{"generate"}},
		{"prefix of one", "ver", commands, []string{"version"}},
		{"prefix of two", "insta", []string{"inspect", "install", "instance"}, []string{"install", "instance"}},
		{"two prefixes", "vali", append(commands, "valid"), []string{"valid"}},
		{"longer word", "entrypoint", []string{"entry", "imports", "main"}, []string{"entry"}},
		{"short word", "x", keys, nil},
		{"far", "bogus", commands, nil},
		{"itself", "build", commands, nil},
		{"empty", "", commands, nil},
		{"tie", "lok", []string{"lock", "look"}, []string{"lock", "look"}},
		{"unicode", "sïze", []string{"size"}, []string{"size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Nearest(tt.word, tt.candidates); !slices.Equal(got, tt.want) {
				t.Errorf("Nearest(%q) = %q, want %q", tt.word, got, tt.want)
			}
		})
	}
}

func TestHint(t *testing.T) {
	tests := []struct {
		word       string
		candidates []string
		want       string
	}{
		{"biuld", commands, `did you mean "build"?`},
		{"lok", []string{"lock", "look"}, `did you mean "lock" or "look"?`},
		{"ab", []string{"ac", "ad", "ae"}, `did you mean "ac", "ad" or "ae"?`},
		{"ab", []string{"ac", "ad", "ae", "af"}, ""},
		{"bogus", commands, ""},
	}
	for _, tt := range tests {
		if got := Hint(tt.word, tt.candidates); got != tt.want {
			t.Errorf("Hint(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"ab", "ba", 1}, {"ca", "abc", 3}, {"abc", "abc", 0},
	}
	for _, tt := range tests {
		if got := distance([]rune(tt.a), []rune(tt.b), 100); got != tt.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func FuzzNearest(f *testing.F) {
	f.Add("biuld", "build")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, word, cand string) {
		got := Nearest(word, []string{cand})
		if len(got) > 1 || (len(got) == 1 && got[0] != cand) {
			t.Errorf("Nearest(%q, [%q]) = %q", word, cand, got)
		}
		if d := distance([]rune(word), []rune(cand), 1<<30); d != distance([]rune(cand), []rune(word), 1<<30) {
			t.Errorf("distance not symmetric for %q, %q", word, cand)
		}
	})
}
