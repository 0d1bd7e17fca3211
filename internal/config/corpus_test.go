package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// corpusConfigs returns the plugconfig.yaml of every case of the CLI's
// hostile-input corpus (internal/cli/testdata/hostile), so that the fuzz
// targets start from every input a test already pins down.
func corpusConfigs(tb testing.TB) [][]byte {
	files, err := filepath.Glob(filepath.Join("..", "cli", "testdata", "hostile", "*.txtar"))
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, name := range files {
		a, err := txtar.ParseFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range a.Files {
			if strings.HasSuffix(f.Name, ".yaml") {
				out = append(out, f.Data)
			}
		}
	}
	if len(out) < 40 {
		tb.Fatalf("only %d configs in the hostile-input corpus", len(out))
	}
	return out
}

// TestCorpusParses runs every config of the hostile-input corpus through
// Parse on its own, so that a panic or hang in the loader shows here with
// the file's name, not only in the CLI's scripts.
func TestCorpusParses(t *testing.T) {
	for _, data := range corpusConfigs(t) {
		if _, err := Parse("plugconfig.yaml", data, t.TempDir()); err != nil && !strings.Contains(err.Error(), "plugconfig.yaml:") {
			t.Errorf("error without a position: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join("..", "cli", "testdata", "hostile")); err != nil {
		t.Fatal(err)
	}
}
