package vendortree

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
)

// Snapshot copies the files m lists from the tree at dir into dst, an
// empty directory private to this process (made with os.MkdirTemp: mode
// 0700, a name no one else knows in advance), and checks every copy
// against m: its size, SHA-256 and executable bit. A build then compiles
// from dst, whose bytes are the ones checked and which no other user can
// change: checking the tree and letting the go command read it again
// leaves a window in which a file can be swapped (a binary holding code
// that was never verified), and the go command itself hashes a file and
// compiles it in two reads, so a swap can also leave its build cache
// holding an object for bytes it does not hold.
//
// Each file is copied, then the copy is hashed: a concurrent writer can
// change the source while it is read, never the copy once it is made. The
// copy is made by the kernel where it can (copy_file_range on Linux, which
// on a file system with copy-on-write extents shares them); hard links
// are never used, since a link is the same file and a write to the
// tree's would change it. Files are made read-only. Only the files m
// lists are copied: what was added to the tree is not there to compile.
//
// A difference is a fail.Mismatch error wrapping a *MismatchError that
// names every file concerned.
func Snapshot(dir string, m *Manifest, dst string) error {
	made := map[string]bool{}
	for _, f := range m.Files {
		if d := path.Dir(f.Path); d != "." && !made[d] {
			if err := os.MkdirAll(filepath.Join(dst, filepath.FromSlash(d)), 0o700); err != nil {
				return err
			}
			for ; d != "."; d = path.Dir(d) {
				made[d] = true
			}
		}
	}
	problems := make([]*Problem, len(m.Files))
	errs := make([]error, len(m.Files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				problems[i], errs[i] = snapshotFile(dir, dst, m.Files[i])
			}
		}()
	}
	for i := range m.Files {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("copying the vendor tree %s: %w", dir, err)
	}
	var list []Problem
	for _, p := range problems {
		if p != nil {
			list = append(list, *p)
		}
	}
	if len(list) > 0 {
		slices.SortStableFunc(list, func(a, b Problem) int { return strings.Compare(a.Path, b.Path) })
		return fail.Wrap(fail.Mismatch, &MismatchError{Dir: dir, Problems: list})
	}
	return nil
}

// snapshotFile copies the file f of the tree at dir into dst and checks
// the copy. It returns how the copy differs from f, or the error that kept
// it from being made.
func snapshotFile(dir, dst string, f File) (*Problem, error) {
	src := filepath.Join(dir, filepath.FromSlash(f.Path))
	in, err := files.OpenNoFollow(src)
	if err != nil {
		if fi, lerr := os.Lstat(src); lerr == nil {
			if fi.Mode()&fs.ModeSymlink != 0 {
				target, _ := os.Readlink(src)
				return &Problem{f.Path, fmt.Sprintf("is a symbolic link (to %q), want a regular file", target)}, nil
			}
		} else if errors.Is(lerr, fs.ErrNotExist) {
			return &Problem{f.Path, "is missing"}, nil
		}
		return nil, err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return nil, err
	}
	switch {
	case fi.IsDir():
		return &Problem{f.Path, "is a directory, want a regular file"}, nil
	case !fi.Mode().IsRegular():
		return &Problem{f.Path, fmt.Sprintf("is %s, want a regular file", files.DescribeMode(fi.Mode().Type()))}, nil
	}
	target := filepath.Join(dst, filepath.FromSlash(f.Path))
	out, err := os.OpenFile(target, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	// io.Copy between two files lets the kernel copy (ReadFrom).
	if _, err := io.Copy(out, in); err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	if _, err := out.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	h := sha256.New()
	n, err := io.Copy(h, out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	exec := fi.Mode()&0o111 != 0
	mode := fs.FileMode(0o444)
	if exec {
		mode = 0o555
	}
	if err := out.Chmod(mode); err != nil {
		return nil, err
	}
	if err := out.Close(); err != nil {
		return nil, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	switch {
	case n < f.Size:
		return &Problem{f.Path, fmt.Sprintf("was truncated (%d bytes, want %d)", n, f.Size)}, nil
	case n > f.Size:
		return &Problem{f.Path, fmt.Sprintf("was extended (%d bytes, want %d)", n, f.Size)}, nil
	case sum != f.SHA256:
		return &Problem{f.Path, "was edited (sha256 " + sum[:12] + "…, want " + f.SHA256[:12] + "…)"}, nil
	case exec && !f.Exec:
		return &Problem{f.Path, "was made executable"}, nil
	case !exec && f.Exec:
		return &Problem{f.Path, "lost its executable bit"}, nil
	}
	return nil, nil
}
