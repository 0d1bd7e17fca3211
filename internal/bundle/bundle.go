// Package bundle packs a project's config, lock file and vendor tree into one
// deterministic .tar.gz for an air-gapped site, and unpacks such a bundle
// defensively (README: Air-gapped builds).
//
// # Format
//
// A bundle is a gzip stream (no file name, no modification time in its
// header) of a tar archive whose entries all live below the directory Root:
//
//	plugctl-bundle/plugconfig.yaml   the config, credentials in source URLs redacted
//	plugctl-bundle/plugconfig.lock   the lock file, when the project has one
//	plugctl-bundle/vendor/…          the vendor tree, its manifest included
//
// Entries are directories and regular files only, in a fixed order (files
// sorted by path, each directory just before its first file), with modification
// time 0, owner and group 0 and no names, mode 0755 for directories and
// executable files and 0644 for the others: the same inputs give the same
// bytes on any machine. Beside the bundle, FILE.sha256 holds its SHA-256 in
// the format of sha256sum(1), so `sha256sum -c FILE.sha256` checks it too.
//
// # Unpacking
//
// Unpack refuses a bundle whose checksum file is missing or does not match,
// and extracts through an os.Root, refusing absolute names, names that are
// not clean or leave Root, duplicate names, links of any kind and special
// files, and stopping at Limits on the number of entries and total size. The
// bytes are hashed as they are extracted, so what is extracted is what was
// checked.
package bundle

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
)

// The layout of a bundle.
const (
	Root       = "plugctl-bundle"
	ConfigName = "plugconfig.yaml"
	LockName   = "plugconfig.lock"
	VendorDir  = "vendor"
)

// SumSuffix is appended to a bundle's path to name its checksum file.
const SumSuffix = ".sha256"

// File is one file to pack.
type File struct {
	Name   string // slash path below Root
	Source string // where to read it
	Data   []byte // the content itself, when not nil; Source is then unused
}

// Limits bound what Unpack extracts.
type Limits struct {
	MaxEntries int   // files and directories
	MaxBytes   int64 // total size of the files
}

// DefaultLimits are far above any real vendor tree (the largest Go programs
// vendor a few hundred megabytes in tens of thousands of files) and far below
// what would fill a disk.
var DefaultLimits = Limits{MaxEntries: 500_000, MaxBytes: 8 << 30}

// epoch is the modification time of every entry.
var epoch = time.Unix(0, 0).UTC()

// Write writes the bundle of files to w. Names must be unique, clean slash
// paths; files must be regular files (links are not followed).
func Write(w io.Writer, files []File) error {
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	gz, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	written := map[string]bool{}
	var dir func(d string) error
	dir = func(d string) error {
		if d == "." || written[d] {
			return nil
		}
		if err := dir(path.Dir(d)); err != nil {
			return err
		}
		written[d] = true
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: epoch})
	}
	for i, f := range files {
		if !validName(f.Name) || (i > 0 && files[i-1].Name == f.Name) {
			return fmt.Errorf("bundle: invalid or duplicate name %q", f.Name)
		}
		name := Root + "/" + f.Name
		if err := dir(path.Dir(name)); err != nil {
			return err
		}
		if f.Data != nil {
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(f.Data)), ModTime: epoch}); err != nil {
				return err
			}
			if _, err := tw.Write(f.Data); err != nil {
				return err
			}
			continue
		}
		if err := writeFile(tw, name, f.Source); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeFile(tw *tar.Writer, name, src string) error {
	in, err := files.OpenNoFollow(src)
	if err != nil {
		return fmt.Errorf("packing %s: %w", src, err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return fmt.Errorf("packing %s: %w", src, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("packing %s: not a regular file", src)
	}
	mode := int64(0o644)
	if fi.Mode()&0o111 != 0 {
		mode = 0o755
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: fi.Size(), ModTime: epoch}); err != nil {
		return fmt.Errorf("packing %s: %w", src, err)
	}
	if _, err := io.Copy(tw, in); err != nil {
		return fmt.Errorf("packing %s: %w", src, err)
	}
	return nil
}

// Create writes the bundle of files to out and its checksum file beside it,
// each to a temporary name first and renamed into place, and returns the
// bundle's SHA-256 in hex.
func Create(out string, files []File) (string, error) {
	dir := filepath.Dir(out)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	h := sha256.New()
	if err := Write(io.MultiWriter(tmp, h), files); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if err := os.Rename(tmp.Name(), out); err != nil {
		return "", err
	}
	if err := writeAtomic(out+SumSuffix, []byte(sum+"  "+filepath.Base(out)+"\n")); err != nil {
		return "", err
	}
	return sum, nil
}

func writeAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}

// ReadSum reads the checksum file of the bundle at bundlePath and returns
// the SHA-256 it names, in hex.
func ReadSum(bundlePath string) (string, error) {
	name := bundlePath + SumSuffix
	data, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fail.New(fail.Mismatch, "bundle %s has no checksum file %s beside it: carry both files (plugctl bundle writes them together)", bundlePath, name)
		}
		return "", fail.Wrap(fail.Mismatch, fmt.Errorf("reading %s: %w", name, err))
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 || len(fields[0]) != 64 {
		return "", fail.New(fail.Mismatch, "%s: not a sha256sum line (want: <64 hex digits>  <file>)", name)
	}
	sum := strings.ToLower(fields[0])
	if _, err := hex.DecodeString(sum); err != nil {
		return "", fail.New(fail.Mismatch, "%s: not a sha256sum line (want: <64 hex digits>  <file>)", name)
	}
	return sum, nil
}

// Unpack checks the bundle at bundlePath against its checksum file and
// extracts it into dst, an empty directory. It returns the directory holding
// the bundle's content (dst/Root). Every failure is a fail.Mismatch error; on
// failure dst may hold part of the bundle and must be removed by the caller.
func Unpack(bundlePath, dst string, lim Limits) (string, error) {
	want, err := ReadSum(bundlePath)
	if err != nil {
		return "", err
	}
	f, err := os.Open(bundlePath)
	if err != nil {
		return "", fail.Wrap(fail.Config, fmt.Errorf("--bundle: %w", err))
	}
	defer f.Close()
	h := sha256.New()
	xerr := Extract(io.TeeReader(f, h), dst, lim)
	// Hash what is left (the gzip trailer, or the rest after an error) so
	// that a damaged bundle is reported as such rather than as whatever
	// extraction tripped over.
	if _, err := io.Copy(h, f); err != nil {
		return "", fail.Wrap(fail.Mismatch, fmt.Errorf("reading %s: %w", bundlePath, err))
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return "", fail.New(fail.Mismatch, "bundle %s: checksum mismatch: sha256 %s, but %s%s says %s; the bundle was damaged or altered on the way", bundlePath, got, filepath.Base(bundlePath), SumSuffix, want)
	}
	if xerr != nil {
		return "", fail.Wrap(fail.Mismatch, fmt.Errorf("bundle %s: %w", bundlePath, xerr))
	}
	return filepath.Join(dst, Root), nil
}

// Extract extracts the bundle read from r into the directory dst, within
// lim; see the package documentation for what it refuses.
func Extract(r io.Reader, dst string, lim Limits) error {
	root, err := os.OpenRoot(dst)
	if err != nil {
		return err
	}
	defer root.Close()
	gz, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("not a gzip stream: %w", err)
	}
	tr := tar.NewReader(gz)
	entries := 0
	var total int64
	seen := map[string]bool{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the archive: %w", err)
		}
		entries++
		if entries > lim.MaxEntries {
			return fmt.Errorf("more than %d entries: refusing to unpack", lim.MaxEntries)
		}
		name := strings.TrimSuffix(hdr.Name, "/")
		if !validName(name) || (name != Root && !strings.HasPrefix(name, Root+"/")) {
			return fmt.Errorf("entry %q: not a clean relative path inside %s/", hdr.Name, Root)
		}
		if seen[name] {
			return fmt.Errorf("entry %q appears twice", hdr.Name)
		}
		seen[name] = true
		local := filepath.FromSlash(name)
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(local, 0o755); err != nil {
				return fmt.Errorf("entry %q: %w", hdr.Name, err)
			}
		case tar.TypeReg:
			if hdr.Size < 0 || hdr.Size > lim.MaxBytes-total {
				return fmt.Errorf("entry %q: more than %d bytes in all: refusing to unpack", hdr.Name, lim.MaxBytes)
			}
			total += hdr.Size
			if err := extractFile(root, local, hdr, tr); err != nil {
				return fmt.Errorf("entry %q: %w", hdr.Name, err)
			}
		default:
			return fmt.Errorf("entry %q: %s entries are not allowed (only directories and regular files)", hdr.Name, typeName(hdr.Typeflag))
		}
	}
	// Read the rest of the gzip stream so that its CRC is checked.
	if _, err := io.Copy(io.Discard, gz); err != nil {
		return fmt.Errorf("reading the archive: %w", err)
	}
	return nil
}

func extractFile(root *os.Root, name string, hdr *tar.Header, r io.Reader) error {
	if d := filepath.Dir(name); d != "." {
		if err := root.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	mode := fs.FileMode(0o644)
	if hdr.Mode&0o111 != 0 {
		mode = 0o755
	}
	out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	n, err := io.Copy(out, r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != hdr.Size {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return err
	}
	return root.Chmod(name, mode) // whatever the umask
}

// validName reports whether a slash path is clean, relative and stays below
// where it is resolved.
func validName(p string) bool {
	return p != "" && utf8.ValidString(p) && path.Clean(p) == p && !path.IsAbs(p) &&
		!strings.Contains(p, "\\") && !strings.ContainsRune(p, 0) && filepath.IsLocal(filepath.FromSlash(p))
}

func typeName(t byte) string {
	switch t {
	case tar.TypeSymlink:
		return "symbolic link"
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar, tar.TypeBlock:
		return "device"
	case tar.TypeFifo:
		return "named pipe"
	case tar.TypeXGlobalHeader:
		return "global header"
	case tar.TypeGNUSparse:
		return "sparse file"
	}
	return fmt.Sprintf("type %q", t)
}
