package vendortree

import (
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/config"
)

func TestConfigDigest(t *testing.T) {
	const base = `schema: 1
name: hello
core:
  source: ./core
plugins:
  - name: greeter
    source: ./greeter
    settings: {greeting: Hello, repeat: 1}
  - name: off
    module: example.com/off
    version: v1.0.0
    enabled: false
`
	parse := func(t *testing.T, src string) string {
		t.Helper()
		cfg, err := config.Parse("plugconfig.yaml", []byte(src), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return ConfigDigest(cfg)
	}
	want := parse(t, base)
	tests := []struct {
		name string
		src  string
		same bool
	}{
		{"reformatted", "# a comment\n" + base + "\n\n", true},
		{"build section", base + "build:\n  targets: [linux/arm64]\n  ldflags: [-s]\n", true},
		{"vendor key", base + "vendor: elsewhere\n", true},
		{"disabled plug edited", base[:len(base)-len("v1.0.0\n    enabled: false\n")] + "v1.0.1\n    enabled: false\n", true},
		{"setting value", strings.Replace(base, "Hello", "Howdy", 1), false},
		{"setting type", strings.Replace(base, "repeat: 1", "repeat: 1.0", 1), false},
		{"plug enabled", strings.Replace(base, "enabled: false", "enabled: true", 1), false},
		{"source", strings.Replace(base, "./greeter", "./greeter2", 1), false},
		{"replace", base + "replace:\n  example.com/x: ./x\n", false},
		{"name", strings.Replace(base, "hello", "bye", 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parse(t, tt.src); (got == want) != tt.same {
				t.Errorf("digest same = %v, want %v", got == want, tt.same)
			}
		})
	}
}
