package bundle

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzExtract feeds arbitrary bytes to Extract: whatever they hold, nothing
// may be written outside the destination, and nothing but directories and
// regular files inside it.
func FuzzExtract(f *testing.F) {
	f.Add(archive(f, file("plugctl-bundle/plugconfig.yaml", "schema: 1\n")))
	f.Add(archive(f, file("plugctl-bundle/../x", "x")))
	f.Add(archive(f, entry{tar.Header{Typeflag: tar.TypeSymlink, Name: "plugctl-bundle/l", Linkname: "/"}, ""}, file("plugctl-bundle/l/x", "x")))
	f.Add(archive(f, entry{tar.Header{Typeflag: tar.TypeDir, Name: "plugctl-bundle/d/"}, ""}, file("plugctl-bundle/d", "x")))
	f.Add([]byte("not gzip"))
	lim := Limits{MaxEntries: 50, MaxBytes: 1 << 16}
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		dst := filepath.Join(parent, "dst")
		if err := os.Mkdir(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		_ = Extract(bytes.NewReader(data), dst, lim)
		ents, err := os.ReadDir(parent)
		if err != nil || len(ents) != 1 {
			t.Fatalf("Extract wrote beside its destination: %v %v", ents, err)
		}
		err = filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && !d.Type().IsRegular() {
				t.Errorf("Extract made %s, a %v", p, d.Type())
			}
			if rel, _ := filepath.Rel(dst, p); rel != "." && rel != Root && !strings.HasPrefix(rel, Root+"/") {
				t.Errorf("Extract made %s outside %s/", rel, Root)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
