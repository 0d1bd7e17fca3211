// Package checksums gathers the artifacts of a fanned-out build — each
// binary with the files plugctl writes beside it (package artifact): its
// sha256 file, CycloneDX and SPDX SBOMs, provenance and record, downloaded
// from as many CI jobs as there were targets — into one SHA256SUMS, and
// checks them on the way: every binary is the one its record, its sha256
// file, both SBOMs and its provenance describe, two artifacts of the same
// inputs are the same bytes, and, given the plan the jobs came from
// (plugctl plan), every artifact is a job of the plan and every job has
// its artifact.
//
// SHA256SUMS is in sha256sum's format ("<hex>  <path>"), one line for each
// binary and one for each document a release ships with it — the
// CycloneDX SBOM, the SPDX SBOM and the provenance — paths relative to the
// directory with forward slashes, sorted by path: the same artifacts give
// the same bytes, and `sha256sum -c SHA256SUMS` checks them in the
// directory. The sha256 file (the binary's own line again) and the record
// (plugctl's state for reusing the artifact) are checked, not listed.
package checksums

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/provenance"
	"github.com/plugctl/plugctl/internal/sbom"
)

// FileName is the name of the checksum file Write writes.
const FileName = "SHA256SUMS"

// maxSide bounds a record or an SBOM read: plugctl writes at most a few
// hundred KiB of SBOM for the largest cores.
const maxSide = 64 << 20

// Artifact is one artifact Gather found and checked.
type Artifact struct {
	// Path is the binary, relative to the directory, slash-separated.
	Path   string
	Target string
	// Digest is its record's inputs digest.
	Digest string
	SHA256 string // of the binary (hex)
	Size   int64
	// SBOM, SPDX and Provenance are the paths (as Path) of its CycloneDX
	// SBOM, its SPDX SBOM and its provenance.
	SBOM, SPDX, Provenance string
	// Files are the documents SHA256SUMS lists with the binary — SBOM,
	// SPDX and Provenance — each with its SHA-256 (hex).
	Files []File
}

// File is a file SHA256SUMS lists: its path (as Artifact.Path) and
// SHA-256 (hex).
type File struct {
	Path, SHA256 string
}

// Gather finds every artifact below dir — every file with a record
// (NAME.plugctl.json) beside it — and checks each: the binary hashes to
// the record's SHA-256 and size, the sha256 file says the same, the
// CycloneDX SBOM and the provenance describe that binary for that target
// and the SPDX SBOM that binary. Two artifacts with the same
// inputs digest must be the same bytes. Artifacts are returned sorted by
// path; every failure is listed (of kind fail.Mismatch, exit 3).
func Gather(dir string) ([]Artifact, error) {
	var found []Artifact
	var errs []error
	walk := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(path, ".plugctl.json") {
			return nil
		}
		bin := strings.TrimSuffix(path, ".plugctl.json")
		a, err := check(dir, bin)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		found = append(found, a)
		return nil
	})
	if walk != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, walk)
	}
	slices.SortFunc(found, func(a, b Artifact) int { return strings.Compare(a.Path, b.Path) })
	byDigest := map[string]Artifact{}
	for _, a := range found {
		if b, ok := byDigest[a.Digest]; ok && b.SHA256 != a.SHA256 {
			errs = append(errs, fmt.Errorf("%s and %s were built from the same inputs (%s) but differ: the build is not reproducible", b.Path, a.Path, a.Digest))
		}
		byDigest[a.Digest] = a
	}
	if len(errs) > 0 {
		return found, fail.Wrap(fail.Mismatch, errors.Join(errs...))
	}
	if len(found) == 0 {
		return nil, fail.New(fail.Mismatch, "%s holds no artifact (no NAME.plugctl.json record beside a binary)", dir)
	}
	return found, nil
}

// check checks the artifact at bin, below dir.
func check(dir, bin string) (Artifact, error) {
	rel, err := filepath.Rel(dir, bin)
	if err != nil {
		return Artifact{}, err
	}
	a := Artifact{Path: filepath.ToSlash(rel)}
	bad := func(format string, args ...any) (Artifact, error) {
		return Artifact{}, fmt.Errorf("%s: %s", a.Path, fmt.Sprintf(format, args...))
	}
	data, err := files.ReadFile(artifact.RecordPath(bin), maxSide)
	if err != nil {
		return bad("reading its record: %v", err)
	}
	var rec artifact.Record
	if err := json.Unmarshal(data, &rec); err != nil || rec.Schema != artifact.RecordSchema {
		return bad("its record %s is not one plugctl writes", filepath.Base(artifact.RecordPath(bin)))
	}
	if rec.Digest == "" || rec.SHA256 == "" {
		return bad("its record is incomplete: the build that wrote it did not finish")
	}
	a.Target, a.Digest = rec.Target, rec.Digest
	if a.SHA256, a.Size, err = artifact.Hash(bin); err != nil {
		return bad("%v", err)
	}
	if a.SHA256 != rec.SHA256 || a.Size != rec.Size {
		return bad("the binary is not the one its record describes (sha256 %s, want %s)", a.SHA256, rec.SHA256)
	}
	sum, err := files.ReadFile(artifact.SumPath(bin), maxSide)
	if err != nil {
		return bad("reading its sha256 file: %v", err)
	}
	if f := strings.Fields(string(sum)); len(f) == 0 || f[0] != a.SHA256 {
		return bad("its sha256 file %s does not hold the binary's sha256 %s", filepath.Base(artifact.SumPath(bin)), a.SHA256)
	}
	doc, err := files.ReadFile(artifact.SBOMPath(bin), maxSide)
	if err != nil {
		return bad("reading its SBOM: %v", err)
	}
	sbomSum, target, err := sbom.Subject(doc)
	if err != nil {
		return bad("its SBOM %s: %v", filepath.Base(artifact.SBOMPath(bin)), err)
	}
	if sbomSum != a.SHA256 || target != a.Target {
		return bad("its SBOM describes another binary (%s for %s)", sbomSum, target)
	}
	spdx, err := files.ReadFile(artifact.SPDXPath(bin), maxSide)
	if err != nil {
		return bad("reading its SPDX SBOM: %v", err)
	}
	if sum, err := sbom.SPDXSubject(spdx); err != nil {
		return bad("its SPDX SBOM %s: %v", filepath.Base(artifact.SPDXPath(bin)), err)
	} else if sum != a.SHA256 {
		return bad("its SPDX SBOM describes another binary (%s)", sum)
	}
	prov, err := files.ReadFile(artifact.ProvenancePath(bin), provenance.MaxFile)
	if err != nil {
		return bad("reading its provenance: %v", err)
	}
	opened, err := provenance.Open(prov, nil)
	if err != nil {
		return bad("its provenance %s: %v", filepath.Base(artifact.ProvenancePath(bin)), err)
	}
	st := opened.Statement
	if sum, t := st.Subject[0].Digest["sha256"], st.Predicate.BuildDefinition.ExternalParameters.Target; sum != a.SHA256 || t != a.Target {
		return bad("its provenance describes another binary (%s for %s)", sum, t)
	}
	side := func(p string) string { return a.Path + strings.TrimPrefix(p, bin) }
	a.SBOM, a.SPDX, a.Provenance = side(artifact.SBOMPath(bin)), side(artifact.SPDXPath(bin)), side(artifact.ProvenancePath(bin))
	for _, p := range []string{artifact.SBOMPath(bin), artifact.SPDXPath(bin), artifact.ProvenancePath(bin)} {
		sum, _, err := artifact.Hash(p)
		if err != nil {
			return bad("%v", err)
		}
		a.Files = append(a.Files, File{side(p), sum})
	}
	return a, nil
}

// Job is one job of a build plan, as far as Check needs it.
type Job struct {
	ID     string
	Target string
	Digest string
}

// Check holds the artifacts to the plan they were built from: every
// artifact's record names the inputs digest and target of a job, and every
// job has at least one artifact. Every failure is listed (fail.Mismatch).
func Check(arts []Artifact, jobs []Job) error {
	planned := map[string]Job{}
	built := map[string]bool{}
	for _, j := range jobs {
		planned[j.Digest] = j
	}
	var errs []error
	for _, a := range arts {
		j, ok := planned[a.Digest]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%s (%s) is no job of the plan: its inputs digest %s is not planned (built from another config, lock, toolchain or plugctl?)", a.Path, a.Target, a.Digest))
		case j.Target != a.Target:
			errs = append(errs, fmt.Errorf("%s is for %s, but the plan's job %s with its digest is for %s", a.Path, a.Target, j.ID, j.Target))
		default:
			built[a.Digest] = true
		}
	}
	for _, j := range jobs {
		if !built[j.Digest] {
			errs = append(errs, fmt.Errorf("job %s (%s, %s) has no artifact", j.ID, j.Target, j.Digest))
		}
	}
	return fail.Wrap(fail.Mismatch, errors.Join(errs...))
}

// Sums returns the content of SHA256SUMS for arts: each binary and the
// documents beside it (Artifact.Files), sorted by path.
func Sums(arts []Artifact) []byte {
	var lines []File
	for _, a := range arts {
		lines = append(lines, File{a.Path, a.SHA256})
		lines = append(lines, a.Files...)
	}
	slices.SortFunc(lines, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%s  %s\n", l.SHA256, l.Path)
	}
	return []byte(b.String())
}

// Write writes SHA256SUMS for arts to path, atomically.
func Write(path string, arts []Artifact) error {
	if err := files.WriteFile(path, Sums(arts), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
