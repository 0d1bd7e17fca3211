// Package store keeps built artifacts content-addressed by their inputs
// digest (artifact.Inputs.Digest), so that a build whose inputs were built
// before — on this machine or any other sharing the directory: a CI cache,
// a mounted bucket, a network file system — copies the artifact instead of
// compiling it.
//
// Layout, under the store's directory:
//
//	v1/<hex of the digest>/bin            the binary
//	v1/<hex of the digest>/sbom.cdx.json  its CycloneDX SBOM
//	v1/<hex of the digest>/sbom.spdx.json its SPDX SBOM
//	v1/<hex of the digest>/provenance.intoto.jsonl  its provenance
//	v1/<hex of the digest>/record.json    its artifact.Record
//
// The sha256 file beside an artifact is written from the record, for the
// artifact's own name. An entry is written whole into a temporary
// directory of the store and renamed into place, so a reader sees a whole
// entry or none, and writers racing on one digest leave one of their
// (identical) entries. An entry is trusted for nothing: Get hashes the
// binary as it copies it, and an entry whose binary is not the one its
// record describes, whose record is for other inputs, or whose SBOM
// describes another binary is damaged — ignored, so the artifact is built,
// and replaced by Put.
package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/sbom"
)

// EnvStore names the store when --store does not.
const EnvStore = "PLUGCTL_STORE"

// version is the layout's directory: a new layout is a new directory, and
// the old one is left alone.
const version = "v1"

// maxSide bounds a record or SBOM read from an entry.
const maxSide = 64 << 20

// The files of an entry.
const (
	binName    = "bin"
	sbomName   = "sbom.cdx.json"
	spdxName   = "sbom.spdx.json"
	provName   = "provenance.intoto.jsonl"
	recordName = "record.json"
)

// ErrMiss is Get's error when the store holds no entry for a digest.
var ErrMiss = errors.New("not in the store")

// DamagedError is an entry Get refused.
type DamagedError struct {
	Dir    string
	Reason string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("store entry %s is damaged (%s): ignored", e.Dir, e.Reason)
}

// Store is a store directory.
type Store struct{ dir string }

// Open returns the store at dir, creating it if need be.
func Open(dir string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(abs, version), 0o755); err != nil {
		return nil, fmt.Errorf("the artifact store %s: %w", dir, err)
	}
	return &Store{dir: abs}, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// entry is the directory of digest's entry, or "" for a digest that is not
// "sha256:<64 hex>".
func (s *Store) entry(digest string) string {
	hexd, ok := strings.CutPrefix(digest, "sha256:")
	if !ok || len(hexd) != 64 || strings.Trim(hexd, "0123456789abcdef") != "" {
		return ""
	}
	return filepath.Join(s.dir, version, hexd)
}

// Entry is an artifact Get found and checked.
type Entry struct {
	Record *artifact.Record
	// Sides are the SBOMs and the provenance written beside the binary.
	Sides artifact.Sides
}

// Get copies the binary of digest's entry to tmp (a new file, mode 0755)
// and returns its record and SBOM, once the copy hashes to the record's
// SHA-256 and size, the record is for digest and target, and the SBOM
// describes the binary. It returns ErrMiss when there is no entry, and a
// *DamagedError for an entry it refuses; tmp is then removed.
func (s *Store) Get(digest, target, tmp string) (*Entry, error) {
	e, dir, err := s.read(digest, target)
	if err != nil {
		return nil, err
	}
	sum, size, err := copyHashed(filepath.Join(dir, binName), tmp)
	if err == nil && (sum != e.Record.SHA256 || size != e.Record.Size) {
		err = fmt.Errorf("its binary's sha256 is %s, its record says %s", sum, e.Record.SHA256)
		os.Remove(tmp)
	}
	if err != nil {
		return nil, &DamagedError{Dir: dir, Reason: err.Error()}
	}
	return e, nil
}

// read reads and checks the record and SBOM of digest's entry (Get).
func (s *Store) read(digest, target string) (*Entry, string, error) {
	dir := s.entry(digest)
	if dir == "" {
		return nil, "", ErrMiss
	}
	data, err := files.ReadFile(filepath.Join(dir, recordName), maxSide)
	if errors.Is(err, os.ErrNotExist) {
		return nil, dir, ErrMiss
	}
	damaged := func(reason string) (*Entry, string, error) {
		return nil, dir, &DamagedError{Dir: dir, Reason: reason}
	}
	if err != nil {
		return damaged(err.Error())
	}
	var rec artifact.Record
	if err := json.Unmarshal(data, &rec); err != nil || rec.Schema != artifact.RecordSchema {
		return damaged("its record is not one plugctl writes")
	}
	if rec.Digest != digest || rec.Target != target {
		return damaged("its record is for other inputs")
	}
	doc, err := files.ReadFile(filepath.Join(dir, sbomName), maxSide)
	if err != nil {
		return damaged(err.Error())
	}
	if sum, t, err := sbom.Subject(doc); err != nil || sum != rec.SHA256 || t != target {
		return damaged("its SBOM describes another binary")
	}
	e := &Entry{Record: &rec, Sides: artifact.Sides{CycloneDX: doc}}
	// The SPDX SBOM and the provenance are checked as the binary is: by
	// verify BINARY, against the binary they describe.
	for name, side := range map[string]*[]byte{spdxName: &e.Sides.SPDX, provName: &e.Sides.Provenance} {
		if *side, err = files.ReadFile(filepath.Join(dir, name), maxSide); err != nil {
			return damaged(err.Error())
		}
	}
	return e, dir, nil
}

// copyHashed copies src to a new file dst, returning the SHA-256 (hex)
// and size of what it copied.
func copyHashed(src, dst string) (string, int64, error) {
	in, err := files.OpenRegular(src)
	if err != nil {
		return "", 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return "", 0, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// Put stores the artifact at bin, built with rec, with its SBOMs and
// provenance. An entry
// already there that Get would accept is left as it is (another build of
// the same inputs wrote the same bytes); a damaged one is replaced. The
// entry is written into a temporary directory of the store and renamed
// into place.
func (s *Store) Put(bin string, rec *artifact.Record, docs artifact.Sides) error {
	dir := s.entry(rec.Digest)
	if dir == "" {
		return fmt.Errorf("storing %s: digest %q is not sha256:<hex>", bin, rec.Digest)
	}
	if s.has(rec) {
		return nil
	}
	tmp, err := os.MkdirTemp(filepath.Join(s.dir, version), ".tmp-")
	if err != nil {
		return fmt.Errorf("the artifact store: %w", err)
	}
	defer os.RemoveAll(tmp)
	sum, size, err := copyHashed(bin, filepath.Join(tmp, binName))
	if err != nil {
		return fmt.Errorf("storing %s: %w", bin, err)
	}
	if sum != rec.SHA256 || size != rec.Size {
		return fmt.Errorf("storing %s: it changed while it was stored", bin)
	}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	for name, doc := range map[string][]byte{sbomName: docs.CycloneDX, spdxName: docs.SPDX, provName: docs.Provenance} {
		if err := os.WriteFile(filepath.Join(tmp, name), doc, 0o644); err != nil {
			return fmt.Errorf("the artifact store: %w", err)
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, recordName), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("the artifact store: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err == nil {
		return nil
	}
	// An entry is there: another writer's, whole, or a damaged one. Move
	// a damaged one aside (a rename, so a reader of it sees it whole or
	// not at all) and try once more; a writer that wins the race wrote
	// the same bytes.
	if s.has(rec) {
		return nil
	}
	old, err := os.MkdirTemp(filepath.Join(s.dir, version), ".old-")
	if err != nil {
		return fmt.Errorf("the artifact store: %w", err)
	}
	defer os.RemoveAll(old)
	if err := os.Rename(dir, filepath.Join(old, "entry")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("replacing the damaged store entry %s: %w", dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil && !s.has(rec) {
		return fmt.Errorf("the artifact store: %w", err)
	}
	return nil
}

// has reports whether the store holds an entry for rec that Get accepts.
func (s *Store) has(rec *artifact.Record) bool {
	e, dir, err := s.read(rec.Digest, rec.Target)
	if err != nil {
		return false
	}
	sum, size, err := artifact.Hash(filepath.Join(dir, binName))
	return err == nil && sum == e.Record.SHA256 && size == e.Record.Size
}
