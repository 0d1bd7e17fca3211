package files

import (
	"fmt"
	"io/fs"
	"os"
)

// OpenNoFollow opens name for reading, failing when name itself is a
// symbolic link or another reparse point (a junction): a tree plugctl hashes
// or packs must not reach outside itself through a link put in place of one
// of its files. Windows has no O_NOFOLLOW, so name is checked with Lstat and
// the opened file compared with what Lstat saw, which refuses a link swapped
// in between the two.
func OpenNoFollow(name string) (*os.File, error) {
	fi, err := os.Lstat(name)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&(fs.ModeSymlink|fs.ModeIrregular) != 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("is a link")}
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	if opened, err := f.Stat(); err != nil || !os.SameFile(fi, opened) {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("changed while opened")}
	}
	return f, nil
}

// tempVar names the variable os.TempDir reads first.
const tempVar = "TMP"

// OpenRegular opens name for reading and refuses anything but a regular
// file. Windows opens named pipes through their own namespace (\\.\pipe\),
// so a Stat first is enough to refuse them.
func OpenRegular(name string) (*os.File, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return checkRegular(name, f)
}
