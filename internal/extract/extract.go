// Package extract is plugctl's one way of writing an archive to disk: the
// archives of archive sources (.tar.gz, .tgz, .zip), the tar stream
// `git archive` makes of a commit, and bundles.
//
// An archive comes from someone else, so every entry is checked before
// anything is written, and the writing goes through an os.Root opened on
// the destination, which no name, however crafted, can leave. Extract
// reads the archive twice: the first pass writes nothing and refuses the
// archive, naming the entry, when
//
//   - a name is not valid UTF-8, holds a control character or a backslash,
//     is absolute (/x, C:/x) or has a ".." element; other names are cleaned
//     ("a//./b" is "a/b"), and the root entry ("./") is passed over;
//   - with Options.Prefix, a name is not that directory or below it;
//   - an entry is a hard link, a device, a pipe or any other special file,
//     or a symbolic link (unless Options.Symlinks is SkipSymlinks: a git
//     tree's links are left out, as Go's module zips leave them out);
//   - a name comes twice (directories excepted), or a file's name is used
//     as a directory by another entry;
//   - the archive has more entries than Limits.MaxEntries, or its files'
//     sizes add up to more than Limits.MaxBytes (the sizes the headers
//     declare, which the readers enforce: a file cannot hold more bytes than
//     its header says).
//
// The second pass writes what the first accepted: directories mode 0755,
// files 0644, or 0755 when any execute bit is set in the archive, whatever
// the umask; no owner, time or other mode bit is kept. The context is
// checked between entries and while a file's bytes are copied.
//
// A refusal is an *Error, so that callers can tell an archive that is
// wrong from a disk that is full; its message names the entry with its
// name quoted and credentials that look like a URL's redacted.
package extract

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/redact"
)

// Format is the container format of an archive.
type Format int

// The formats Extract reads.
const (
	Tar   Format = iota + 1 // a tar stream, as git archive writes it
	TarGz                   // a gzip-compressed tar stream (.tar.gz, .tgz)
	Zip                     // a zip file
)

// Symlinks says what becomes of a symbolic link entry.
type Symlinks int

const (
	// RefuseSymlinks refuses an archive holding a symbolic link.
	RefuseSymlinks Symlinks = iota
	// SkipSymlinks leaves symbolic links out. Hard links are refused
	// either way.
	SkipSymlinks
)

// Limits bound what one archive may hold.
type Limits struct {
	MaxEntries int   // entries of any kind, directories included
	MaxBytes   int64 // sum of the sizes of the files
}

// Options say what Extract accepts besides what it always refuses.
type Options struct {
	Limits   Limits
	Symlinks Symlinks
	// Prefix, when set, is a clean slash path every entry must be, or be
	// below: a bundle's entries all live below its root directory.
	Prefix string
	// SHA256, when set, is the hex SHA-256 the archive's bytes must have.
	// Every pass hashes the whole archive as it reads it, so Check (and
	// the checking pass of Extract) compares it before anything is written,
	// and Extract again after writing: what was written is what was
	// checked. A wrong checksum is reported before anything else the
	// archive holds (*ChecksumError).
	SHA256 string
}

// Error is an archive refused for what it holds: an unsafe, misplaced or
// repeated entry, or more than the limits allow. Failures to read or write
// are other errors.
type Error struct {
	msg string
}

func (e *Error) Error() string { return e.msg }

// ChecksumError is an archive whose bytes do not have Options.SHA256.
type ChecksumError struct {
	Got string // the SHA-256 of the bytes read, hex
}

func (e *ChecksumError) Error() string {
	return "checksum mismatch: sha256 " + e.Got
}

func refuse(format string, args ...any) error {
	return &Error{msg: fmt.Sprintf(format, args...)}
}

// File extracts the archive file name; see Extract.
func File(ctx context.Context, name string, f Format, dst string, o Options) error {
	fh, err := os.Open(name)
	if err != nil {
		return err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return err
	}
	return Extract(ctx, fh, fi.Size(), f, dst, o)
}

// Check reads the whole archive of size bytes at r in format f and returns
// the first reason to refuse it (an *Error), writing nothing.
func Check(ctx context.Context, r io.ReaderAt, size int64, f Format, o Options) error {
	return walk(ctx, r, size, f, o, func(entry, io.Reader) error { return nil })
}

// Extract checks the archive of size bytes at r in format f (see Check)
// and, when it passes, writes its directories and files into dst, an
// existing empty directory. On an error dst may hold part of the archive;
// the caller removes it.
func Extract(ctx context.Context, r io.ReaderAt, size int64, f Format, dst string, o Options) error {
	if err := Check(ctx, r, size, f, o); err != nil {
		return err
	}
	root, err := os.OpenRoot(dst)
	if err != nil {
		return err
	}
	defer root.Close()
	w := &writer{root: root, made: map[string]bool{".": true}}
	return walk(ctx, r, size, f, o, func(e entry, body io.Reader) error {
		return w.write(ctx, e, body)
	})
}

// kind is what an archive entry is.
type kind int

const (
	kindFile kind = iota
	kindDir
	kindSymlink
	kindHardlink
	kindOther
)

// entry is one member of an archive, as walk reports it.
type entry struct {
	name string // cleaned, never ""
	kind kind
	size int64
	exec bool // some execute bit is set
}

// walk calls visit for each entry of the archive that is to be written,
// with the file's content for files, after checking it; with
// Options.SHA256 it hashes the whole archive on the way.
func walk(ctx context.Context, r io.ReaderAt, size int64, f Format, o Options, visit func(entry, io.Reader) error) error {
	sc := &scanner{o: o, seen: map[string]kind{}}
	var h hash.Hash
	if o.SHA256 != "" {
		h = sha256.New()
	}
	sum := func(err error) error {
		if h == nil || ctx.Err() != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != o.SHA256 {
			return &ChecksumError{Got: got}
		}
		return err
	}
	switch f {
	case Tar, TarGz:
		sec := io.NewSectionReader(r, 0, size)
		var in io.Reader = sec
		if h != nil {
			in = io.TeeReader(sec, h)
		}
		err := walkStream(ctx, in, f == TarGz, sc, visit)
		if h != nil && ctx.Err() == nil {
			// Hash what the walk did not read (after a refusal, or past
			// the end of the archive), so that a damaged archive is told
			// as such rather than as what it tripped.
			if _, cerr := io.Copy(h, sec); cerr != nil {
				return cerr
			}
		}
		return sum(err)
	case Zip:
		if h != nil {
			// A zip is read where its directory says, not in order: hash
			// it whole first.
			if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
				return err
			}
			if err := sum(nil); err != nil {
				return err
			}
		}
		zr, err := zip.NewReader(r, size)
		if err != nil {
			return refuse("reading the zip archive: %v", err)
		}
		return walkZip(ctx, zr, sc, visit)
	}
	return fmt.Errorf("extract: unknown format %d", f)
}

// walkStream walks a tar stream, gzip-compressed when gz is set.
func walkStream(ctx context.Context, in io.Reader, gz bool, sc *scanner, visit func(entry, io.Reader) error) error {
	if !gz {
		return walkTar(ctx, in, sc, visit)
	}
	zr, err := gzip.NewReader(in)
	if err != nil {
		return refuse("reading the gzip stream: %v", err)
	}
	defer zr.Close()
	if err := walkTar(ctx, zr, sc, visit); err != nil {
		return err
	}
	// Read to the end of the gzip stream, so that its checksum is checked.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return refuse("reading the gzip stream: %v", err)
	}
	return nil
}

func walkTar(ctx context.Context, in io.Reader, sc *scanner, visit func(entry, io.Reader) error) error {
	tr := tar.NewReader(in)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return refuse("reading the tar archive: %v", err)
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue // metadata (git archive's commit id), not a file
		}
		e := entry{exec: h.Mode&0o111 != 0}
		switch h.Typeflag {
		case tar.TypeReg: // the reader turns the legacy TypeRegA into TypeReg or TypeDir
			e.kind, e.size = kindFile, h.Size
		case tar.TypeDir:
			e.kind = kindDir
		case tar.TypeSymlink:
			e.kind = kindSymlink
		case tar.TypeLink:
			e.kind = kindHardlink
		default:
			e.kind = kindOther
		}
		ok, err := sc.add(h.Name, &e)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := visit(e, tr); err != nil {
			return err
		}
	}
}

func walkZip(ctx context.Context, zr *zip.Reader, sc *scanner, visit func(entry, io.Reader) error) error {
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		mode := f.Mode()
		e := entry{exec: mode&0o111 != 0}
		switch {
		case mode.IsDir():
			e.kind = kindDir
		case mode&fs.ModeSymlink != 0:
			e.kind = kindSymlink
		case mode.IsRegular():
			e.kind = kindFile
			if f.UncompressedSize64 > 1<<62 {
				return refuse("entry %s declares an impossible size", quote(f.Name))
			}
			e.size = int64(f.UncompressedSize64)
		default:
			e.kind = kindOther
		}
		ok, err := sc.add(f.Name, &e)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := visitZip(f, e, visit); err != nil {
			return err
		}
	}
	return nil
}

// visitZip calls visit for the zip entry f, with its content for a file.
// archive/zip fails a read beyond the size the entry declares, and checks
// the CRC at its end.
func visitZip(f *zip.File, e entry, visit func(entry, io.Reader) error) error {
	if e.kind != kindFile {
		return visit(e, nil)
	}
	rc, err := f.Open()
	if err != nil {
		return refuse("reading the zip archive: entry %s: %v", quote(f.Name), err)
	}
	defer rc.Close()
	return visit(e, rc)
}

// scanner checks the entries of one archive in order.
type scanner struct {
	o       Options
	entries int
	bytes   int64
	seen    map[string]kind // every name so far, and every directory above one
}

// add checks the entry named raw, of the kind and size e holds, and fills
// in its clean name. It reports whether the entry is to be written: the
// root directory and skipped links are not.
func (s *scanner) add(raw string, e *entry) (bool, error) {
	name, err := cleanName(raw)
	if err != nil {
		return false, err
	}
	if name == "" {
		if e.kind != kindDir {
			return false, refuse("entry %s is not a directory", quote(raw))
		}
		return false, nil
	}
	if p := s.o.Prefix; p != "" && name != p && !strings.HasPrefix(name, p+"/") {
		return false, refuse("entry %s is not inside %s/", quote(raw), p)
	}
	e.name = name
	s.entries++
	if s.entries > s.o.Limits.MaxEntries {
		return false, refuse("more than %d files (the limit)", s.o.Limits.MaxEntries)
	}
	if e.size < 0 || e.size > s.o.Limits.MaxBytes-s.bytes {
		return false, refuse("expands to more than %s (the limit); at entry %s", files.Size(s.o.Limits.MaxBytes), quote(name))
	}
	s.bytes += e.size
	if k, ok := s.seen[name]; ok && !(k == kindDir && e.kind == kindDir) {
		return false, refuse("entry %s appears twice", quote(name))
	}
	s.seen[name] = e.kind
	for d := path.Dir(name); d != "."; d = path.Dir(d) {
		k, ok := s.seen[d]
		if ok && k != kindDir {
			return false, refuse("entry %s is inside %s, which is not a directory", quote(name), quote(d))
		}
		if ok {
			break // its parents were marked with it
		}
		s.seen[d] = kindDir
	}
	switch e.kind {
	case kindSymlink:
		if s.o.Symlinks == SkipSymlinks {
			return false, nil
		}
		return false, refuse("entry %s is a symbolic link (archives may hold only files and directories)", quote(name))
	case kindHardlink:
		return false, refuse("entry %s is a hard link (archives may hold only files and directories)", quote(name))
	case kindOther:
		return false, refuse("entry %s is a device, pipe or other special file (archives may hold only files and directories)", quote(name))
	}
	return true, nil
}

// cleanName checks the name of an archive entry and returns it cleaned, or ""
// for the archive's root ("./"). Names are refused, not repaired: an
// archive that tries to write outside its directory is hostile or broken,
// and its author should hear about it.
func cleanName(name string) (string, error) {
	bad := func(why string) (string, error) {
		return "", refuse("entry %s %s", quote(name), why)
	}
	if !utf8.ValidString(name) {
		return bad("is not valid UTF-8")
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return bad("has a control character in its name")
		}
	}
	if strings.Contains(name, `\`) {
		return bad(`has a backslash in its name`)
	}
	if strings.HasPrefix(name, "/") || isDrive(name) {
		return bad("has an absolute path")
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return bad("escapes the archive's directory (\"..\")")
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", nil
	}
	return clean, nil
}

// isDrive reports whether name begins with a Windows drive letter ("C:").
func isDrive(name string) bool {
	return len(name) >= 2 && name[1] == ':' && ('a' <= name[0] && name[0] <= 'z' || 'A' <= name[0] && name[0] <= 'Z')
}

// quote quotes an entry name for a message: escaped, shortened when long,
// credentials redacted.
func quote(s string) string { return redact.Quote(s, 100) }

// writer writes checked entries below root.
type writer struct {
	root *os.Root
	made map[string]bool // directories known to exist, slash paths
}

func (w *writer) write(ctx context.Context, e entry, body io.Reader) error {
	if e.kind == kindDir {
		return w.mkdir(e.name)
	}
	if err := w.mkdir(path.Dir(e.name)); err != nil {
		return err
	}
	mode := fs.FileMode(0o644)
	if e.exec {
		mode = 0o755
	}
	name := filepath.FromSlash(e.name)
	out, err := w.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	n, err := io.Copy(out, &entryReader{ctx, body, e.name})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != e.size {
		err = refuse("entry %s holds %d bytes, not the %d its header says", quote(e.name), n, e.size)
	}
	if err != nil {
		return err
	}
	return w.root.Chmod(name, mode) // whatever the umask
}

// mkdir makes the directory d and those above it, mode 0755 whatever the
// umask.
func (w *writer) mkdir(d string) error {
	if w.made[d] {
		return nil
	}
	if err := w.root.MkdirAll(filepath.FromSlash(d), 0o755); err != nil {
		return err
	}
	for ; !w.made[d]; d = path.Dir(d) {
		if err := w.root.Chmod(filepath.FromSlash(d), 0o755); err != nil {
			return err
		}
		w.made[d] = true
	}
	return nil
}

// entryReader reads the content of an entry: it stops when its context is
// done, and a failure to read is the archive's (an *Error).
type entryReader struct {
	ctx  context.Context
	r    io.Reader
	name string
}

func (r *entryReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = refuse("reading entry %s: %v", quote(r.name), err)
	}
	return n, err
}
