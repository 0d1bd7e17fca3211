// Package artifact keeps the files plugctl writes beside every binary it
// builds, and decides from them whether a binary can be reused.
//
// For an artifact at PATH:
//
//	PATH.sha256        the binary's SHA-256 in sha256sum format
//	PATH.cdx.json      its CycloneDX 1.6 SBOM (package sbom)
//	PATH.spdx.json     its SPDX 2.3 SBOM (package sbom)
//	PATH.intoto.jsonl  its provenance, signed or not (package provenance)
//	PATH.plugctl.json  its Record: what it was built from, digested
//
// A build whose inputs digest to the Record's Digest, and whose binary still
// hashes to the Record's SHA256, has nothing to do: the binary is reused
// without running the go command. The Record is written last, and the
// binary's own hash is checked before reuse, so an interrupted run or an
// edited binary is rebuilt, never trusted.
package artifact

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/plugctl/plugctl/internal/files"
)

// Inputs are the digests of everything that feeds the artifacts of one
// build, other than the target itself. Fields are compared, never
// interpreted: adding one makes every older Record stale, which is safe.
type Inputs struct {
	// Plugctl identifies the plugctl binary: its version, or for a
	// development build its VCS revision or executable (see Tool).
	Plugctl string `json:"plugctl"`
	// Toolchain is the go command's version, e.g. go1.26.8.
	Toolchain string `json:"toolchain"`
	// Config is the digest of the config as parsed (digest.Artifact):
	// comments, layout and key order do not count; settings values do,
	// with their types.
	Config string `json:"config"`
	// Lock is the digest of the lock's content (lock.File.ContentDigest),
	// when there is one: the same digest the vendor manifest pins.
	Lock string `json:"lock,omitempty"`
	// Vendor is the SHA-256 of the vendor tree's integrity manifest, when
	// building from the vendor tree.
	Vendor string `json:"vendor,omitempty"`
	// Template is the SHA-256 of the main template used (built-in or
	// core.template).
	Template string `json:"template"`
	// Sources maps each local source ("core", "plug NAME", "replace
	// MODULE") to the content hash of its directory (modhash): local code can change
	// while the config stays the same.
	Sources map[string]string `json:"sources,omitempty"`
	// Tags and Ldflags are the build flags from the config.
	Tags    []string `json:"tags,omitempty"`
	Ldflags []string `json:"ldflags,omitempty"`
	// Gcflags are the compiler flags the build used (build.gcflags, and
	// -N -l for build.debug); Cgo says the binary was built with cgo, so
	// is not static.
	Gcflags []string `json:"gcflags,omitempty"`
	Cgo     bool     `json:"cgo,omitempty"`
	// Embed is the digest of the files of build.embed, which the binary
	// holds; absent when the config embeds none.
	Embed string `json:"embed,omitempty"`
	// Signers are the IDs of the keys the provenance is signed with
	// (build --sign) and Created the SPDX creation time
	// (SOURCE_DATE_EPOCH): they change no binary, only the files beside
	// it, which are written again with it.
	Signers []string `json:"signers,omitempty"`
	Created string   `json:"created,omitempty"`
}

// Digest returns the cache key of the artifact these inputs make for
// target ("os/arch").
func (in Inputs) Digest(target string) string {
	b, err := json.Marshal(in) // map keys are sorted: the encoding is stable
	if err != nil {
		panic(err) // strings, slices and a map of strings always encode
	}
	h := sha256.New()
	fmt.Fprintf(h, "plugctl-artifact/v1\ntarget %s\n", target)
	h.Write(b)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// RecordSchema is the version of the Record format.
const RecordSchema = 1

// Record is the content of PATH.plugctl.json.
type Record struct {
	Schema int    `json:"schema"`
	Target string `json:"target"`
	// Digest is Inputs.Digest(Target).
	Digest string `json:"digest"`
	Inputs Inputs `json:"inputs"`
	// Generated maps each file of the generated build module to its
	// SHA-256: a function of Inputs for pinned sources, recorded so a
	// resolver that moved (a constraint meeting a new release) shows.
	Generated map[string]string `json:"generated,omitempty"`
	// SHA256 and Size describe the binary.
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// FileStat is what tells a file rewritten from one left alone, without
// reading it: its size, modification and inode change times, and inode. It
// is local to one machine, so it is kept in the project's state directory,
// not in the Record, which stays the same wherever the artifact is built.
type FileStat struct {
	Size  int64  `json:"size"`
	MTime int64  `json:"mtime_ns"`
	CTime int64  `json:"ctime_ns"`
	Inode uint64 `json:"inode"`
	Dev   uint64 `json:"dev"`
}

// RecordPath, SumPath and SBOMPath name the files beside artifact path.
func RecordPath(path string) string { return path + ".plugctl.json" }

// SumPath is the sha256sum file of the artifact at path.
func SumPath(path string) string { return path + ".sha256" }

// SBOMPath is the CycloneDX SBOM of the artifact at path.
func SBOMPath(path string) string { return path + ".cdx.json" }

// SPDXPath is the SPDX SBOM of the artifact at path.
func SPDXPath(path string) string { return path + ".spdx.json" }

// ProvenancePath is the provenance of the artifact at path.
func ProvenancePath(path string) string { return path + ".intoto.jsonl" }

// Sides are the documents written beside an artifact.
type Sides struct {
	CycloneDX, SPDX, Provenance []byte
}

// sidePaths are the files Write writes beside the artifact at path, the
// Record excluded.
func sidePaths(path string) []string {
	return []string{SumPath(path), SBOMPath(path), SPDXPath(path), ProvenancePath(path)}
}

// Check returns the Record of the artifact at path if it was built with
// digest and the binary and its sha256 and SBOM files are still there, the
// binary unchanged. Any doubt returns false: the artifact is rebuilt.
//
// Whether the binary changed is told from the file identity Write left in
// statDir when it still holds (no read of the binary), else by hashing it,
// and then the identity is written again.
func Check(path, digest, statDir string) (*Record, bool) {
	data, err := os.ReadFile(RecordPath(path))
	if err != nil {
		return nil, false
	}
	var rec Record
	if json.Unmarshal(data, &rec) != nil || rec.Schema != RecordSchema || rec.Digest != digest {
		return nil, false
	}
	for _, side := range sidePaths(path) {
		if _, err := os.Stat(side); err != nil {
			return nil, false
		}
	}
	if unchanged(path, rec.SHA256, statDir) {
		return &rec, true
	}
	sum, size, err := Hash(path)
	if err != nil || sum != rec.SHA256 || size != rec.Size {
		return nil, false
	}
	// Vouched for again: the next Check need not hash it, and the state
	// directory lists it among the project's artifacts (Recorded) even
	// when it was built before that directory was cleaned.
	recordStat(path, rec.SHA256, statDir)
	return &rec, true
}

// maxRecord bounds the Record read by Owned: plugctl writes a few KiB.
const maxRecord = 1 << 20

// Owned reports whether the file at path is an artifact plugctl built: a
// Record of this format sits beside it, written by Claim or Write. plugctl
// replaces only such a file (docs/security.md) — never one it did not
// build, the config, or anything else that happens to be at an output path.
func Owned(path string) bool {
	data, err := files.ReadFile(RecordPath(path), maxRecord)
	if err != nil {
		return false
	}
	var rec Record
	return json.Unmarshal(data, &rec) == nil && rec.Schema == RecordSchema
}

// NotOwnedError is an output path holding something plugctl may not replace.
type NotOwnedError struct {
	Path string
	What string // "a directory", "a file plugctl did not build"
}

func (e *NotOwnedError) Error() string {
	return fmt.Sprintf("%s is %s", e.Path, e.What)
}

// CheckReplace returns a *NotOwnedError when an artifact may not be written
// at path: a directory (or anything but a regular file or link) is there,
// or a file that is not Owned. Nothing there is fine.
func CheckReplace(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case err != nil:
		return nil // nothing to replace; writing says why if it cannot
	case fi.IsDir():
		return &NotOwnedError{Path: path, What: "a directory"}
	case !fi.Mode().IsRegular() && fi.Mode()&os.ModeSymlink == 0:
		return &NotOwnedError{Path: path, What: files.DescribeMode(fi.Mode())}
	case !Owned(path):
		return &NotOwnedError{Path: path, What: "a file plugctl did not build (there is no " + filepath.Base(RecordPath(path)) + " beside it)"}
	}
	return nil
}

// Claim marks path as the place of an artifact of target before the
// binary is moved there: it checks that whatever is at path may be
// replaced (CheckReplace), then writes a Record that no build's digest
// matches. Until Write completes the Record, Check rebuilds the artifact,
// and Owned keeps vouching that the binary is plugctl's.
func Claim(path, target string) error {
	if err := CheckReplace(path); err != nil {
		return err
	}
	data, err := json.MarshalIndent(&Record{Schema: RecordSchema, Target: target}, "", "  ")
	if err != nil {
		return err
	}
	if err := files.WriteFile(RecordPath(path), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", RecordPath(path), err)
	}
	return nil
}

// Hash returns the SHA-256 (hex) and size of the file at path.
func Hash(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// Write writes the sha256 file, the SBOMs, the provenance and the Record
// of the artifact at path, each atomically, the Record last, then the binary's file identity
// into statDir (see Check). Claim, called before the binary was put in
// place, left a Record no build matches, so a run stopped half-way leaves
// an artifact that is rebuilt next time, and still plugctl's to replace.
func Write(path string, rec *Record, docs Sides, statDir string) error {
	sum := rec.SHA256 + "  " + filepath.Base(path) + "\n"
	for i, data := range [][]byte{[]byte(sum), docs.CycloneDX, docs.SPDX, docs.Provenance} {
		side := sidePaths(path)[i]
		if err := files.WriteFile(side, data, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", side, err)
		}
	}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	if err := files.WriteFile(RecordPath(path), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", RecordPath(path), err)
	}
	recordStat(path, rec.SHA256, statDir)
	return nil
}

// recordStat writes the file identity of the artifact at path, which
// hashes to sum, into statDir (see Check).
func recordStat(path, sum, statDir string) {
	if st, ok := statOf(path); ok && statDir != "" {
		data, _ := json.Marshal(statRecord{Path: path, SHA256: sum, Stat: st})
		_ = files.WriteFile(statPath(path, statDir), data, 0o644) // only a shortcut
	}
}

// statRecord vouches that the file at Path, while it has Stat, hashes to
// SHA256.
type statRecord struct {
	Path   string   `json:"path"`
	SHA256 string   `json:"sha256"`
	Stat   FileStat `json:"stat"`
}

// statPath names the stat record of the artifact at path inside statDir.
func statPath(path, statDir string) string {
	sum := sha256.Sum256([]byte(path))
	return filepath.Join(statDir, "stat-"+hex.EncodeToString(sum[:12])+".json")
}

// unchanged reports whether statDir vouches that the file at path still
// hashes to sum.
func unchanged(path, sum, statDir string) bool {
	if statDir == "" {
		return false
	}
	data, err := os.ReadFile(statPath(path, statDir))
	if err != nil {
		return false
	}
	var sr statRecord
	if json.Unmarshal(data, &sr) != nil || sr.Path != path || sr.SHA256 != sum {
		return false
	}
	st, ok := statOf(path)
	return ok && st == sr.Stat
}

// Version is plugctl's module version, "(devel)" for a source build: the
// name it goes by in SBOMs.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// Tool identifies the running plugctl for Inputs.Plugctl: its module version
// when it has one; for a development build the VCS revision it was built
// from, and when that is missing or the tree was modified (go run, tests),
// the Go build ID of the executable — a hash of everything linked into it —
// or failing that its size and modification time, so that editing plugctl's
// own code invalidates what an older plugctl built.
func Tool() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown" + exeStamp()
	}
	v := bi.Main.Version
	if v != "" && v != "(devel)" && !strings.Contains(v, "+dirty") {
		return v
	}
	rev, modified := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev != "" && !modified {
		return "(devel) " + rev
	}
	if id := selfBuildID(); id != "" {
		return "(devel) buildid:" + id
	}
	return "(devel)" + exeStamp()
}

// selfBuildID reads the Go build ID from the running executable's ELF note
// (what `go tool buildid` prints); "" elsewhere or when it cannot.
func selfBuildID() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := elf.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	sec := f.Section(".note.go.buildid")
	if sec == nil {
		return ""
	}
	data, err := sec.Data()
	// An ELF note: namesz, descsz, type (4 bytes each), the name "Go\x00\x00",
	// then the ID.
	if err != nil || len(data) < 16 || string(data[12:16]) != "Go\x00\x00" {
		return ""
	}
	descsz := binary.LittleEndian.Uint32(data[4:8])
	if f.ByteOrder == binary.BigEndian {
		descsz = binary.BigEndian.Uint32(data[4:8])
	}
	if int(descsz) > len(data)-16 {
		return ""
	}
	return string(data[16 : 16+descsz])
}

func exeStamp() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	return " exe:" + strconv.FormatInt(fi.Size(), 10) + ":" + strconv.FormatInt(fi.ModTime().UnixNano(), 10)
}
