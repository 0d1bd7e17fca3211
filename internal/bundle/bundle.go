// Package bundle packs a project's config, lock file and vendor tree into one
// deterministic .tar.gz for an air-gapped site, and unpacks such a bundle
// defensively (docs/airgap.md).
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
// Unpack refuses a bundle whose checksum file is missing or does not match
// before it writes anything: the whole archive is hashed and compared first.
// Then every entry is checked, still writing nothing, and only a bundle that
// passes is extracted (internal/extract, through an os.Root): absolute
// names, names that leave Root, duplicate names, links of any kind and
// special files are refused, and so is a bundle beyond Limits on the number
// of entries and their total size — at the first entry past them, in the
// time it takes to read the archive, not to write it. The bytes are hashed
// again as they are extracted, so what is extracted is what was checked.
package bundle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/plugctl/plugctl/internal/extract"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/tarball"
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

// File is one file to pack: Name is its slash path below Root.
type File = tarball.File

// Limits bound what Unpack extracts: entries (files and directories) and
// the total size of the files.
type Limits = extract.Limits

// DefaultLimits are far above any real vendor tree (the largest Go programs
// vendor a few hundred megabytes in tens of thousands of files) and far below
// what would fill a disk.
var DefaultLimits = Limits{MaxEntries: 500_000, MaxBytes: 8 << 30}

// Write writes the bundle of files to w, in the format of internal/tarball
// below Root, executable files kept executable. Names must be unique, clean
// slash paths; files must be regular files (links are not followed).
func Write(w io.Writer, files []File) error {
	return tarball.Write(w, files, tarball.Options{Root: Root, KeepExec: true})
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
	data, err := files.ReadFile(name, 64<<10) // never blocks on a FIFO
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
// extracts it into a new temporary directory, which it returns; the
// bundle's content is below Root in it, and the caller removes it. Nothing
// is written unless the whole bundle hashes to its checksum and every entry
// passes, and on failure nothing is left behind. Every failure of the
// bundle's is a fail.Mismatch error.
func Unpack(ctx context.Context, bundlePath string, lim Limits) (string, error) {
	want, err := ReadSum(bundlePath)
	if err != nil {
		return "", err
	}
	// Opened without blocking: a FIFO would wait for a writer, where
	// Ctrl-C does not reach.
	f, err := files.OpenRegular(bundlePath)
	if err != nil {
		return "", fail.Wrap(fail.Config, fmt.Errorf("--bundle: %w", err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fail.Wrap(fail.Config, fmt.Errorf("--bundle: %w", err))
	}
	if !fi.Mode().IsRegular() {
		return "", fail.New(fail.Config, "--bundle: %s is not a regular file", bundlePath)
	}
	o := extract.Options{Limits: lim, Prefix: Root, SHA256: want}
	if err := extract.Check(ctx, f, fi.Size(), extract.TarGz, o); err != nil {
		return "", unpackErr(bundlePath, want, err, false)
	}
	tmp, err := files.MkdirTemp("plugctl-bundle-*")
	if err != nil {
		return "", err
	}
	if err := extract.Extract(ctx, f, fi.Size(), extract.TarGz, tmp, o); err != nil {
		os.RemoveAll(tmp)
		return "", unpackErr(bundlePath, want, err, true)
	}
	return tmp, nil
}

// unpackErr says what is wrong with the bundle at path whose checksum
// file says want; after is set once the bundle was checked.
func unpackErr(path, want string, err error, after bool) error {
	var ce *extract.ChecksumError
	var xe *extract.Error
	switch {
	case errors.As(err, &ce) && after:
		return fail.New(fail.Mismatch, "bundle %s changed while it was unpacked (sha256 %s, checked as %s): nothing of it is used", path, ce.Got, want)
	case errors.As(err, &ce):
		return fail.New(fail.Mismatch, "bundle %s: checksum mismatch: sha256 %s, but %s%s says %s; the bundle was damaged or altered on the way", path, ce.Got, filepath.Base(path), SumSuffix, want)
	case errors.As(err, &xe):
		return fail.Wrap(fail.Mismatch, fmt.Errorf("bundle %s: %w", path, err))
	}
	return fmt.Errorf("unpacking bundle %s: %w", path, err)
}
