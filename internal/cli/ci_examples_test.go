package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/plugctl/plugctl/internal/testenv"
)

// TestCIExamples: the CI recipes docs/ci.md shows (byte for byte, by
// TestDocsShowTheFiles) are files under examples/ci that at least parse:
// each shell script passes sh -n. They are not run: they need a bucket or
// a CI system.
func TestCIExamples(t *testing.T) {
	dir := filepath.Join(testenv.RepoRoot(t), "examples", "ci")
	scripts, _ := filepath.Glob(filepath.Join(dir, "*.sh"))
	if len(scripts) == 0 {
		t.Fatalf("no scripts in %s", dir)
	}
	for _, s := range scripts {
		t.Run(filepath.Base(s), func(t *testing.T) {
			if out, err := exec.Command("sh", "-n", s).CombinedOutput(); err != nil {
				t.Errorf("sh -n %s: %v\n%s", s, err, out)
			}
			if fi, err := os.Stat(s); err != nil || fi.Mode()&0o111 == 0 {
				t.Errorf("%s is not executable", s)
			}
		})
	}
}
