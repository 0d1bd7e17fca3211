package source

import "testing"

func TestDirVersion(t *testing.T) {
	for mod, want := range map[string]string{
		"example.com/x":        "v0.0.0",
		"example.com/x/v2":     "v2.0.0",
		"example.com/x/v10":    "v10.0.0",
		"gopkg.in/yaml.v3":     "v3.0.0",
		"example.com/x/v2/sub": "v0.0.0",
	} {
		if got := DirVersion(mod); got != want {
			t.Errorf("DirVersion(%q) = %q, want %q", mod, got, want)
		}
	}
}
