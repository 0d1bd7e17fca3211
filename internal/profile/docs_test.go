package profile

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/plugctl/plugctl/internal/testenv"
)

// fileBlock is a fenced block of the docs preceded by a comment naming the
// file it shows: <!-- examples/real/caddy.yaml -->.
var fileBlock = regexp.MustCompile("(?s)<!-- ([^ ]+) -->\n```[a-z]*\n(.*?)```\n")

// TestDocsShowTheFiles: the docs' examples of the real cores
// are the files make test-real builds, byte for byte, so they cannot rot.
func TestDocsShowTheFiles(t *testing.T) {
	root := testenv.RepoRoot(t)
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	docs = append(docs, filepath.Join(root, "README.md"))
	n := 0
	for _, doc := range docs {
		text, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range fileBlock.FindAllSubmatch(text, -1) {
			n++
			want, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(string(m[1]))))
			if err != nil {
				t.Errorf("%s shows %s: %v", filepath.Base(doc), m[1], err)
				continue
			}
			if string(m[2]) != string(want) {
				t.Errorf("%s shows %s other than it is; copy the file into the block", filepath.Base(doc), m[1])
			}
		}
	}
	if n < 4 {
		t.Errorf("the docs show %d example files, want the four real cores'", n)
	}
}
