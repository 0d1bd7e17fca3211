package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/config"
)

func TestRedactedConfig(t *testing.T) {
	const head = "schema: 1\nname: demo\ncore:\n  source: ./core\nplugins:\n"
	tests := []struct {
		name, in, want, err string
	}{
		{"no credentials", head + "  - name: a\n    source: git::https://example.com/a.git # a comment\n", "", ""},
		{"plain and quoted sources, settings untouched",
			head + "  - name: a\n    source: git::https://ci:TOKEN@example.com/a.git # keep me\n" +
				"  - name: b\n    source: 'https://u:TOKEN2@example.com/b.tgz'\n    checksum: sha256:" + strings.Repeat("0", 64) + "\n" +
				"    settings: {dsn: 'postgres://app:pw@db/x'}\n",
			head + "  - name: a\n    source: git::https://REDACTED@example.com/a.git # keep me\n" +
				"  - name: b\n    source: 'https://REDACTED@example.com/b.tgz'\n    checksum: sha256:" + strings.Repeat("0", 64) + "\n" +
				"    settings: {dsn: 'postgres://app:pw@db/x'}\n", ""},
		{"escaped source", head + "  - name: a\n    source: \"git::https://ci:TOK\\x45N@example.com/a.git\"\n", "",
			"cannot remove the credentials of its source URLs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "plugconfig.yaml")
			if err := os.WriteFile(file, []byte(tt.in), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := (&State{Config: cfg}).redactedConfig()
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("RedactedConfig = %q, %v; want error %q", got, err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			case tt.want == "" && string(got) != tt.in, tt.want != "" && string(got) != tt.want:
				t.Errorf("RedactedConfig:\n%s", got)
			}
		})
	}
}
