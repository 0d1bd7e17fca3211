package files

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// TreeFile is one regular file of a tree ReadTree read: its path below the
// tree's root, with forward slashes, and its bytes.
type TreeFile struct {
	Path string
	Data []byte
}

// TreeLimits bound what ReadTree reads: a directory named by a config is
// the user's, but a link or a mistake must not make plugctl read a disk.
type TreeLimits struct {
	MaxFiles int   // regular files, at most
	MaxBytes int64 // their bytes together, at most
}

// TreeError is a tree ReadTree refuses for what it holds: a link out of
// it, a special file, a limit passed. Its message names the file by its
// path below the root.
type TreeError struct{ Msg string }

func (e *TreeError) Error() string { return e.Msg }

// ReadTree reads every regular file below dir, sorted by path, through an
// os.Root opened on dir, so that nothing outside dir is ever opened: a
// symbolic link is followed only while its target stays inside dir, and
// read as the file it points to. It refuses (a *TreeError) a link that
// leads out of dir or to a directory (which could loop), a named pipe, a
// socket or a device, and a tree over l. Directories are walked in name
// order and empty ones leave no trace: the result depends on the files'
// paths and bytes alone.
func ReadTree(dir string, l TreeLimits) ([]TreeFile, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	r := &treeReader{root: root, l: l}
	if err := r.dir("."); err != nil {
		return nil, err
	}
	return r.out, nil
}

type treeReader struct {
	root  *os.Root
	l     TreeLimits
	out   []TreeFile
	bytes int64
}

func (r *treeReader) dir(rel string) error {
	f, err := r.root.Open(rel)
	if err != nil {
		return err
	}
	ents, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return err
	}
	slices.SortFunc(ents, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	for _, e := range ents {
		name := path.Join(rel, e.Name())
		mode := e.Type()
		if mode&fs.ModeSymlink != 0 {
			fi, err := r.root.Stat(name)
			if err != nil {
				var pe *fs.PathError
				if errors.As(err, &pe) && !errors.Is(err, fs.ErrNotExist) {
					return &TreeError{fmt.Sprintf("%s is a symbolic link that leads out of the directory", name)}
				}
				return &TreeError{fmt.Sprintf("%s is a symbolic link to nothing", name)}
			}
			if !fi.Mode().IsRegular() {
				return &TreeError{fmt.Sprintf("%s is a symbolic link to %s (valid: regular files and directories, and links to files inside the directory)", name, DescribeMode(fi.Mode()))}
			}
			mode = 0
		}
		switch {
		case mode.IsDir():
			if err := r.dir(name); err != nil {
				return err
			}
		case mode.IsRegular():
			if err := r.file(name); err != nil {
				return err
			}
		default:
			return &TreeError{fmt.Sprintf("%s is %s (valid: regular files and directories)", name, DescribeMode(mode))}
		}
	}
	return nil
}

func (r *treeReader) file(name string) error {
	if len(r.out) >= r.l.MaxFiles {
		return &TreeError{fmt.Sprintf("more than %d files (the limit)", r.l.MaxFiles)}
	}
	f, err := r.root.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return err
	} else if !fi.Mode().IsRegular() {
		return &TreeError{fmt.Sprintf("%s is %s (valid: regular files and directories)", name, DescribeMode(fi.Mode()))}
	}
	left := r.l.MaxBytes - r.bytes
	data, err := io.ReadAll(io.LimitReader(f, left+1))
	if err != nil {
		return err
	}
	if int64(len(data)) > left {
		return &TreeError{fmt.Sprintf("its files are larger than %s together (the limit), at %s", Size(r.l.MaxBytes), name)}
	}
	r.bytes += int64(len(data))
	r.out = append(r.out, TreeFile{Path: name, Data: data})
	return nil
}
