package lock

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/source"
)

// MaxFileSize is the largest lock file plugctl reads: hundreds of times
// what a build graph of thousands of modules needs, and small enough that
// a lock replaced by something hostile (a link to /dev/zero, a huge file)
// costs nothing.
const MaxFileSize = 16 << 20

// Load reads and parses the lock file at path, a regular file of at most
// MaxFileSize bytes; name is how problems name it (the path as the user
// knows it). It is the one way plugctl reads a lock. A missing file is an
// error satisfying errors.Is(err, fs.ErrNotExist); any other failure is a
// fail.Mismatch: the lock cannot be read, or holds problems (a diag.List,
// every one listed, see Parse).
func Load(path, name string) (*File, error) {
	data, err := files.ReadFile(path, MaxFileSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, err
	case err != nil:
		return nil, fail.Wrap(fail.Mismatch, fmt.Errorf("reading the lock: %w", err))
	}
	f, err := Parse(name, data)
	if err != nil {
		return nil, fail.Wrap(fail.Mismatch, err)
	}
	return f, nil
}

// IsProblem reports whether err, from Load, says the lock holds problems
// (rather than that it could not be read).
func IsProblem(err error) bool {
	var l diag.List
	return errors.As(err, &l)
}

// ContentDigest is the digest of what f pins, "sha256:<hex>": of its
// content as parsed, written the one canonical way (Marshal), so that it
// does not depend on how the file was laid out, and with the toolchain
// left out, since a new toolchain alone does not rewrite a lock and
// changes no pin. The vendor manifest pins the lock it was made with by
// it, and an artifact's inputs the lock it was built with.
func (f *File) ContentDigest() (string, error) {
	return f.contentDigest(), nil
}

// ParsedDigest is the ContentDigest of the lock as Parse (or Load) read
// it, taken from the parse with no second encoding: for a File no step
// changed since. "" for a File Parse did not make.
func (f *File) ParsedDigest() string { return f.digest }

// contentDigest computes ContentDigest.
func (f *File) contentDigest() string {
	c := *f
	c.Go = ""
	c.Plugins = slices.Clone(f.Plugins)
	c.Modules = slices.Clone(f.Modules)
	c.Sort()
	return sumOf(encode(make([]byte, 0, encodedSize(&c)), &c))
}

func sumOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ContentDigests returns the digests a vendor tree made with f may record:
// ContentDigest; for a lock with module-kind entries the digest a plugctl
// that spelled that kind "proxy" recorded; for a lock that still held
// the content hashes of local directories (see Parse) the digest of the
// lock as written; and for a lock of format 2 that of its format 1
// (Format1), which a tree made before the lock was rewritten records: so
// that trees made with them still build.
func (f *File) ContentDigests() []string {
	var out []string
	if sum, err := f.ContentDigest(); err == nil {
		out = append(out, sum)
	}
	if f.asWritten != "" {
		out = append(out, f.asWritten)
	}
	old := *f
	old.Plugins = slices.Clone(f.Plugins)
	legacy := false
	for _, e := range append([]*Entry{&old.Core}, entries(old.Plugins)...) {
		if e.Origin.Kind == source.Module {
			e.Origin.Kind, legacy = source.LegacyModule, true
		}
	}
	if legacy {
		out = append(out, old.contentDigest())
	}
	// A lock plugctl rewrote in format 2 pins what its format 1 did.
	if f.LockVersion == 2 {
		v1 := f.Format1()
		if sum, err := v1.ContentDigest(); err == nil {
			out = append(out, sum)
		}
	}
	return out
}

// Format1 returns f as lock format 1 holds it: without Module.Require.
// A lock written in format 1 before plugctl recorded how the build module
// requires each module differs from the lock written since from the same
// graph by that alone; what it pins is the same.
func (f *File) Format1() *File {
	c := *f
	c.LockVersion = 1
	c.digest, c.asWritten = "", ""
	c.Modules = slices.Clone(f.Modules)
	for i := range c.Modules {
		c.Modules[i].Require = ""
	}
	return &c
}

func entries(es []Entry) []*Entry {
	out := make([]*Entry, len(es))
	for i := range es {
		out[i] = &es[i]
	}
	return out
}
