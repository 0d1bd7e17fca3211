package artifact

import (
	"debug/buildinfo"
	"os"
	"path/filepath"
	"testing"
)

// TestReadBinary: one read of a Go binary gives the hash Hash gives and the
// build information buildinfo reads; a file that is no Go binary, empty or
// not, is an error.
func TestReadBinary(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadBinary(self)
	if err != nil {
		t.Fatal(err)
	}
	sum, size, err := Hash(self)
	if err != nil {
		t.Fatal(err)
	}
	want, err := buildinfo.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if b.SHA256 != sum || b.Size != size || b.Info.String() != want.String() {
		t.Errorf("ReadBinary = %s %d\n%s\nwant %s %d\n%s", b.SHA256, b.Size, b.Info, sum, size, want)
	}
	dir := t.TempDir()
	for name, data := range map[string]string{"empty": "", "text": "not a binary\n"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadBinary(p); err == nil {
			t.Errorf("ReadBinary of %s: no error", name)
		}
	}
	if _, err := ReadBinary(filepath.Join(dir, "none")); !os.IsNotExist(err) {
		t.Errorf("ReadBinary of a missing file: %v", err)
	}
}
