package build

import "testing"

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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := culprits(tt.stderr, owners, notes); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
