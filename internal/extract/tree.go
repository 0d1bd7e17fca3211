package extract

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CheckTree checks a directory someone else wrote — what a plug's
// build-time hooks left in their copy of its tree — with the rules an
// archive is checked by before anything of it is written, as far as they
// apply to files already on disk: no hard-to-name entries (a name with a
// control character, a backslash or invalid UTF-8), no device, pipe,
// socket or other special file, at most l.MaxEntries entries and
// l.MaxBytes bytes of files. A symbolic link is refused when it leads
// outside dir, or to nothing: the test is an os.Root opened on dir
// following it, which refuses any path that leaves the root (an absolute
// target or ".." past the top), as the extractor's writes do. A link that
// stays inside dir is the file or directory it points to, which the rules
// above check in its own place. A refusal is an *Error naming the entry.
func CheckTree(dir string, l Limits) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	entries := 0
	var size int64
	return fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name == "." {
			return nil
		}
		if _, err := cleanName(name); err != nil {
			return err
		}
		entries++
		if l.MaxEntries > 0 && entries > l.MaxEntries {
			return refuse("more than %d files and directories", l.MaxEntries)
		}
		switch t := d.Type(); {
		case t.IsDir():
			return nil
		case t.IsRegular():
			fi, err := d.Info()
			if err != nil {
				return err
			}
			size += fi.Size()
			if l.MaxBytes > 0 && size > l.MaxBytes {
				return refuse("files of more than %d bytes in all", l.MaxBytes)
			}
			return nil
		case t&fs.ModeSymlink != 0:
			target, _ := root.Readlink(filepath.FromSlash(name))
			if _, err := root.Stat(filepath.FromSlash(name)); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return refuse("symbolic link %s points to nothing (%s)", quote(name), quote(target))
				}
				return refuse("symbolic link %s leads outside the tree (%s)", quote(name), quote(target))
			}
			return nil
		}
		return refuse("%s is a %s, not a file or directory", quote(name), strings.TrimPrefix(d.Type().String(), "-"))
	})
}
