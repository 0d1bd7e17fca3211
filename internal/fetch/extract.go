package fetch

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plugctl/plugctl/internal/fail"
)

// entryName checks the name of an archive entry and returns it cleaned, ""
// for the archive's root ("./"). Names are refused, not repaired: an archive
// that tries to write outside its directory is hostile or broken, and its
// author should hear about it.
func entryName(name string) (string, error) {
	bad := func(why string) (string, error) {
		return "", fail.New(fail.Config, "entry %s %s", quote(name), why)
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

// entryKind is what an archive entry is.
type entryKind int

const (
	entryFile entryKind = iota
	entryDir
	entrySymlink
	entryHardlink
	entryOther
)

// entry is one member of an archive, as the scanner reports it.
type entry struct {
	name string // cleaned, never ""
	kind entryKind
	size int64
	exec bool // some execute bit is set
}

// scanner walks the entries of an archive, enforcing the limits.
type scanner struct {
	lim   Limits
	files int
	bytes int64
	seen  map[string]entryKind
}

func newScanner(lim Limits) *scanner {
	return &scanner{lim: lim, seen: map[string]entryKind{}}
}

// add accounts for e and refuses it when the archive grows past a limit or
// the name comes twice.
func (s *scanner) add(e entry) error {
	s.files++
	if s.files > s.lim.MaxFiles {
		return fail.New(fail.Config, "more than %d files (the limit)", s.lim.MaxFiles)
	}
	s.bytes += e.size
	if e.size < 0 || s.bytes > s.lim.MaxTreeBytes {
		return fail.New(fail.Config, "expands to more than %s (the limit); at entry %s", size(s.lim.MaxTreeBytes), quote(e.name))
	}
	if k, ok := s.seen[e.name]; ok && !(k == entryDir && e.kind == entryDir) {
		return fail.New(fail.Config, "entry %s appears twice", quote(e.name))
	}
	s.seen[e.name] = e.kind
	return nil
}

// walkTar calls visit for each entry of the tar stream r, with the entry's
// content for files. Names are checked and the limits enforced before visit
// sees an entry.
func walkTar(ctx context.Context, r io.Reader, lim Limits, visit func(e entry, body io.Reader) error) error {
	tr := tar.NewReader(r)
	sc := newScanner(lim)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fail.New(fail.Config, "reading the tar archive: %v", err)
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue // metadata (git archive's commit id), not a file
		}
		name, err := entryName(h.Name)
		if err != nil {
			return err
		}
		e := entry{name: name, exec: h.Mode&0o111 != 0}
		switch h.Typeflag {
		case tar.TypeReg: // the reader turns the legacy TypeRegA into TypeReg or TypeDir
			e.kind, e.size = entryFile, h.Size
		case tar.TypeDir:
			e.kind = entryDir
		case tar.TypeSymlink:
			e.kind = entrySymlink
		case tar.TypeLink:
			e.kind = entryHardlink
		default:
			e.kind = entryOther
		}
		if name == "" {
			if e.kind != entryDir {
				return fail.New(fail.Config, "entry %s is not a directory", quote(h.Name))
			}
			continue
		}
		if err := sc.add(e); err != nil {
			return err
		}
		if err := visit(e, tr); err != nil {
			return err
		}
	}
}

// walkZip is walkTar for a zip file. Sizes are those the zip's directory
// declares; archive/zip fails a read that goes beyond them.
func walkZip(ctx context.Context, zr *zip.Reader, lim Limits, visit func(e entry, f *zip.File) error) error {
	sc := newScanner(lim)
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		name, err := entryName(f.Name)
		if err != nil {
			return err
		}
		mode := f.Mode()
		e := entry{name: name, exec: mode&0o111 != 0}
		switch {
		case mode.IsDir():
			e.kind = entryDir
		case mode&fs.ModeSymlink != 0:
			e.kind = entrySymlink
		case mode.IsRegular():
			e.kind = entryFile
			if f.UncompressedSize64 > 1<<62 {
				return fail.New(fail.Config, "entry %s declares an impossible size", quote(f.Name))
			}
			e.size = int64(f.UncompressedSize64)
		default:
			e.kind = entryOther
		}
		if name == "" {
			continue
		}
		if err := sc.add(e); err != nil {
			return err
		}
		if err := visit(e, f); err != nil {
			return err
		}
	}
	return nil
}

// refuseLinks is the check every archive entry passes before go-getter
// extracts it: files and directories only.
func refuseLinks(e entry) error {
	switch e.kind {
	case entrySymlink:
		return fail.New(fail.Config, "entry %s is a symbolic link (archives may hold only files and directories)", quote(e.name))
	case entryHardlink:
		return fail.New(fail.Config, "entry %s is a hard link (archives may hold only files and directories)", quote(e.name))
	case entryOther:
		return fail.New(fail.Config, "entry %s is a device, pipe or other special file (archives may hold only files and directories)", quote(e.name))
	}
	return nil
}

// vetArchive reads the whole archive at file (format formatTarGz or
// formatZip) without writing anything, and refuses it if any entry is
// unsafe or the archive is beyond the limits.
func vetArchive(ctx context.Context, file, format string, lim Limits) error {
	switch format {
	case formatZip:
		zr, err := zip.OpenReader(file)
		if err != nil {
			return fail.New(fail.Config, "reading the zip archive: %v", err)
		}
		defer zr.Close()
		return walkZip(ctx, &zr.Reader, lim, func(e entry, _ *zip.File) error { return refuseLinks(e) })
	default:
		fh, err := os.Open(file)
		if err != nil {
			return err
		}
		defer fh.Close()
		gz, err := gzip.NewReader(fh)
		if err != nil {
			return fail.New(fail.Config, "reading the gzip stream: %v", err)
		}
		defer gz.Close()
		return walkTar(ctx, gz, lim, func(e entry, _ io.Reader) error { return refuseLinks(e) })
	}
}

// extractGitTar writes the tar made by git archive at file into dst, an
// empty directory. Symbolic links and submodules are left out, as in a Go
// module zip; files get mode 0644, or 0755 when git records them as
// executable.
func extractGitTar(ctx context.Context, file, dst string, lim Limits) error {
	fh, err := os.Open(file)
	if err != nil {
		return err
	}
	defer fh.Close()
	err = walkTar(ctx, fh, lim, func(e entry, body io.Reader) error {
		p := filepath.Join(dst, filepath.FromSlash(e.name))
		switch e.kind {
		case entryDir:
			return os.MkdirAll(p, 0o755)
		case entryFile:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			perm := os.FileMode(0o644)
			if e.exec {
				perm = 0o755
			}
			out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, body); err != nil {
				out.Close()
				return err
			}
			return out.Close()
		case entrySymlink:
			return nil
		}
		return refuseLinks(e)
	})
	if err != nil {
		return fmt.Errorf("extracting the tree: %w", err)
	}
	return nil
}
