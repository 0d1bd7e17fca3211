package files

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/testenv"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadFile(small, 5); err != nil || string(got) != "12345" {
		t.Errorf("ReadFile(small, 5) = %q, %v", got, err)
	}
	if _, err := ReadFile(small, 4); err == nil || !strings.Contains(err.Error(), "is larger than 4 bytes (the limit)") {
		t.Errorf("ReadFile(small, 4) = %v, want too large", err)
	}
	if _, err := ReadFile(small, 2<<10); err != nil {
		t.Errorf("ReadFile(small, 2 KiB) = %v", err)
	}
	if _, err := ReadFile(small, 4); err == nil || err.Error() != small+" is larger than 4 bytes (the limit)" {
		t.Errorf("ReadFile(small, 4) = %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "none"), 4); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(missing) = %v, want fs.ErrNotExist", err)
	}
	zero := filepath.Join(dir, "zero")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(zero, 1<<20); err == nil || !strings.Contains(err.Error(), "is not a regular file") {
		t.Errorf("ReadFile(-> /dev/zero) = %v, want not a regular file", err)
	}
	fifo := filepath.Join(dir, "fifo")
	testenv.Mkfifo(t, fifo)
	if _, err := ReadFile(fifo, 1<<20); err == nil || !strings.Contains(err.Error(), "is not a regular file") {
		t.Errorf("ReadFile(fifo) = %v, want not a regular file", err)
	}
}
