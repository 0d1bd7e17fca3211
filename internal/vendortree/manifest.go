// Package vendortree describes and checks plugctl's vendor tree (docs/airgap.md):
// the directory that holds everything a build needs with
// no network, no module cache and no git.
//
// # Layout
//
//	go.mod, go.sum, main.go   the generated build module, as plugctl generate writes it
//	local/<module>/           copies of the modules built from a directory: the core and
//	                          the git, archive and local plugs, and the config's local
//	                          replace entries, which go.mod replaces with ./local/<module>
//	vendor/                   every module of the build graph, as `go mod vendor` writes it
//	mirror/                   every module of go.sum in GOPROXY layout (MirrorDir), which
//	                          offline builds use as their module proxy
//	vulndb/                   a copy of a vulnerability database, when vendor --vulndb gave
//	                          one (index/, ID/): plugctl audit --offline reads it
//	plugctl-vendor.json       the manifest
//	plugctl-vendor.sig        its signature, when the tree was signed (see SignedText)
//
// Every path inside the tree is relative, so the tree can be moved or carried
// to another machine and still build. Go itself does not check the contents
// of vendor/ (it only compares vendor/modules.txt with go.mod), so the
// manifest is what makes a tampered or damaged tree detectable: it lists every
// file with its size, executable bit and SHA-256, sorted, and Verify refuses a
// tree in which any file was edited, truncated, added, removed, made (or
// unmade) executable, or replaced by a symbolic link or anything else that is
// not a regular file.
//
// A build compiles from a Snapshot of a verified tree — a private copy whose
// every byte was checked as it was copied — never from the tree itself,
// which another process could change after it was verified.
//
// The manifest proves the tree is the one it lists, not who listed it:
// whoever can edit a file can edit its line too. A signature (Sign,
// CheckSignature) binds the manifest, and through it every file, to a key.
package vendortree

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	"github.com/plugctl/plugctl/internal/source"
)

// VulnDBDir is where a tree holds a copy of a vulnerability database.
const VulnDBDir = "vulndb"

// ManifestName is the manifest's file name at the root of the tree. The
// manifest does not list itself.
const ManifestName = "plugctl-vendor.json"

// Schema is the manifest format version this package writes and reads.
const Schema = 1

// Manifest is the content of plugctl-vendor.json.
type Manifest struct {
	Schema int `json:"schema"`
	// Toolchain is the go version that wrote the tree (go1.26.8).
	Toolchain string `json:"toolchain"`
	// Config is the digest of the config inputs the tree was made from
	// (digest.Vendor); a build from the tree refuses a config that differs.
	Config string `json:"config"`
	// Lock is the digest of the content of the lock the tree was made with
	// (lock.File.ContentDigest: what it pins, whatever its layout, the
	// toolchain left out). A build from the tree refuses a lock that pins
	// something else.
	Lock string `json:"lock,omitempty"`
	// Name is the config's artifact name.
	Name string `json:"name"`
	// SDK reports whether the core uses the plugctl SDK.
	SDK bool `json:"sdk"`
	// Core and Plugs say what the tree builds: enough for an offline build
	// to name artifacts and compile errors without resolving anything.
	Core  Component   `json:"core"`
	Plugs []Component `json:"plugs"`
	// Replaced maps each module the config replaces with a local directory
	// to its copy in the tree (local/<module>).
	Replaced map[string]string `json:"replaced,omitempty"`
	// Build holds the build tags and linker flags the core's profile (or
	// its plugin.yaml) gives, for a build from the tree whose config sets
	// none; absent when it gives none.
	Build *Build `json:"build,omitempty"`
	// VulnDB is the directory of the tree holding a copy of a
	// vulnerability database (VulnDBDir, written by plugctl vendor
	// --vulndb), which an offline audit reads; "" when it holds none.
	// Its files are listed in Files like any other.
	VulnDB string `json:"vulndb,omitempty"`
	// Files lists every file of the tree but the manifest, sorted by path.
	Files []File `json:"files"`
}

// Build is what a tree records of how its core is compiled.
type Build struct {
	Tags    []string `json:"tags,omitempty"`
	Ldflags []string `json:"ldflags,omitempty"`
}

// Component is the core or a plug as vendored.
type Component struct {
	Name    string      `json:"name"`
	Kind    source.Kind `json:"kind"`
	Module  string      `json:"module"`
	Version string      `json:"version"`
	Import  string      `json:"import"`
	// Dir is the component's source directory inside the tree
	// (local/<module>), for the kinds built from a directory; module-proxy
	// components live in vendor/ only.
	Dir string `json:"dir,omitempty"`
	// Origin and Hash are where the component came from and its h1: hash,
	// as the resolver found them: the SBOM of a binary built from the tree
	// says the same as one built online.
	Origin source.Origin `json:"origin"`
	Hash   string        `json:"hash,omitempty"`
}

// File is one file of the tree.
type File struct {
	Path   string `json:"path"` // slash-separated, relative to the tree's root
	Size   int64  `json:"size"`
	Exec   bool   `json:"exec,omitempty"` // any executable bit set
	SHA256 string `json:"sha256"`         // lowercase hex
}

// Scan lists the files of the tree at dir (the manifest excluded), hashing
// them in parallel. Only directories and regular files may appear: anything
// else is an error, since the tree plugctl writes holds nothing else.
func Scan(dir string) ([]File, error) {
	entries, problems, err := walk(dir)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s: %s %s", dir, problems[0].Path, problems[0].What)
	}
	var regular []string
	for _, e := range entries {
		if e.kind == kindFile {
			regular = append(regular, e.path)
		}
	}
	return hashAll(dir, regular)
}

// Encode renders m as the bytes of plugctl-vendor.json: the header fields
// indented, then one line per file, so the file diffs well and is the same
// for the same tree.
func Encode(m *Manifest) ([]byte, error) {
	head := *m
	head.Files = nil
	hb, err := json.MarshalIndent(head, "", "  ")
	if err != nil {
		return nil, err
	}
	// Replace the empty "files": null the header ends with by the list.
	const tail = "\n  \"files\": null\n}"
	if !bytes.HasSuffix(hb, []byte(tail)) {
		return nil, errors.New("encoding manifest: unexpected layout")
	}
	var b bytes.Buffer
	b.Write(hb[:len(hb)-len(tail)])
	b.WriteString("\n  \"files\": [")
	for i, f := range m.Files {
		line, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		b.Write(line)
	}
	b.WriteString("\n  ]\n}\n")
	return b.Bytes(), nil
}

// Write scans the tree at dir, fills m.Files and writes the manifest into
// the tree. It returns the manifest's bytes.
func Write(dir string, m *Manifest) ([]byte, error) {
	files, err := Scan(dir)
	if err != nil {
		return nil, fmt.Errorf("listing the vendor tree: %w", err)
	}
	m.Schema = Schema
	m.Files = files
	data, err := Encode(m)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestName), data, 0o644); err != nil {
		return nil, err
	}
	return data, nil
}

// Read reads and checks the manifest of the tree at dir without looking at
// the other files. A manifest that is missing, unreadable or malformed is a
// fail.Mismatch error.
func Read(dir string) (*Manifest, []byte, error) {
	name := filepath.Join(dir, ManifestName)
	fi, err := os.Lstat(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if _, derr := os.Stat(dir); derr != nil {
				return nil, nil, fail.New(fail.Mismatch, "no vendor tree at %s: run plugctl vendor first, on a machine that can fetch", dir)
			}
			return nil, nil, fail.New(fail.Mismatch, "vendor tree %s has no %s: it was not written by plugctl vendor, or was damaged; run plugctl vendor", dir, ManifestName)
		}
		return nil, nil, fail.Wrap(fail.Mismatch, fmt.Errorf("vendor tree %s: %w", dir, err))
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fail.New(fail.Mismatch, "vendor tree %s: %s is not a regular file", dir, ManifestName)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, nil, fail.Wrap(fail.Mismatch, fmt.Errorf("vendor tree %s: %w", dir, err))
	}
	m, err := Decode(data)
	if err != nil {
		return nil, nil, fail.Wrap(fail.Mismatch, fmt.Errorf("vendor tree %s: %s: %w", dir, ManifestName, err))
	}
	return m, data, nil
}

// Decode parses manifest bytes strictly: unknown fields, an unknown schema,
// unsorted or duplicate paths, and paths that are absolute, unclean or
// leave the tree are errors.
func Decode(data []byte) (*Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the manifest")
	}
	if m.Schema != Schema {
		return nil, fmt.Errorf("unsupported schema %d (this plugctl reads %d)", m.Schema, Schema)
	}
	for _, c := range append([]*Component{&m.Core}, pointers(m.Plugs)...) {
		// A tree written before the kinds had one name each says "proxy"
		// for the module kind in its origins.
		if k, ok := source.ParseKind(string(c.Origin.Kind)); ok {
			c.Origin.Kind = k
		}
	}
	for i, f := range m.Files {
		if !validPath(f.Path) {
			return nil, fmt.Errorf("invalid path %q", f.Path)
		}
		if i > 0 && m.Files[i-1].Path >= f.Path {
			return nil, fmt.Errorf("paths not sorted or duplicated at %q", f.Path)
		}
		if len(f.SHA256) != 64 || strings.ToLower(f.SHA256) != f.SHA256 {
			return nil, fmt.Errorf("%s: invalid sha256 %q", f.Path, f.SHA256)
		}
		if _, err := hex.DecodeString(f.SHA256); err != nil {
			return nil, fmt.Errorf("%s: invalid sha256 %q", f.Path, f.SHA256)
		}
		if f.Size < 0 {
			return nil, fmt.Errorf("%s: invalid size %d", f.Path, f.Size)
		}
	}
	return &m, nil
}

func pointers(cs []Component) []*Component {
	out := make([]*Component, len(cs))
	for i := range cs {
		out[i] = &cs[i]
	}
	return out
}

// validPath reports whether p is a clean, relative, slash-separated path
// inside the tree that is not the manifest itself or its signature.
func validPath(p string) bool {
	return p != "" && p != ManifestName && p != SignatureName && path.Clean(p) == p && !path.IsAbs(p) &&
		p != ".." && !strings.HasPrefix(p, "../") && !strings.Contains(p, "\\") && filepath.IsLocal(filepath.FromSlash(p))
}

// Problem is one way a tree differs from its manifest.
type Problem struct {
	Path string // slash-separated, relative to the tree's root
	What string // "was edited", "is missing", …
}

// MismatchError is a tree that does not match its manifest.
type MismatchError struct {
	Dir      string
	Problems []Problem // sorted by path
}

// maxShown bounds the problems an error lists, so a tree replaced wholesale
// does not print thousands of lines.
const maxShown = 20

func (e *MismatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "vendor tree %s does not match its manifest (%d problem(s)):", e.Dir, len(e.Problems))
	for i, p := range e.Problems {
		if i == maxShown {
			fmt.Fprintf(&b, "\n  … and %d more", len(e.Problems)-maxShown)
			break
		}
		fmt.Fprintf(&b, "\n  %s: %s", p.Path, p.What)
	}
	b.WriteString("\nrun plugctl vendor to rewrite it, or carry it over again")
	return b.String()
}

// Verify checks the tree at dir against its manifest and returns the
// manifest and its bytes. Any difference is a fail.Mismatch error wrapping a
// *MismatchError that names every file concerned.
func Verify(dir string) (*Manifest, []byte, error) {
	m, data, err := Read(dir)
	if err != nil {
		return nil, nil, err
	}
	entries, problems, err := walk(dir)
	if err != nil {
		return nil, nil, fail.Wrap(fail.Mismatch, fmt.Errorf("vendor tree %s: %w", dir, err))
	}
	want := make(map[string]File, len(m.Files))
	dirs := map[string]bool{}
	for _, f := range m.Files {
		want[f.Path] = f
		for d := path.Dir(f.Path); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	seen := make(map[string]bool, len(m.Files))
	var regular []string
	for _, e := range entries {
		switch e.kind {
		case kindDir:
			if !dirs[e.path] {
				if _, isFile := want[e.path]; isFile {
					problems = append(problems, Problem{e.path, "is a directory, want a regular file"})
					seen[e.path] = true
				} else if !holdsFiles(e.path, entries) {
					problems = append(problems, Problem{e.path, "was added (a directory the manifest does not list)"})
				}
			}
		case kindFile:
			if _, ok := want[e.path]; !ok {
				problems = append(problems, Problem{e.path, "was added (not in the manifest)"})
				continue
			}
			seen[e.path] = true
			regular = append(regular, e.path)
		}
	}
	// walk reports symlinks and special files as problems already; a listed
	// path seen as one of those is not also missing.
	for _, p := range problems {
		seen[p.Path] = true
	}
	for _, f := range m.Files {
		if !seen[f.Path] {
			problems = append(problems, Problem{f.Path, "is missing"})
		}
	}
	got, err := hashAll(dir, regular)
	if err != nil {
		return nil, nil, fail.Wrap(fail.Mismatch, fmt.Errorf("vendor tree %s: %w", dir, err))
	}
	for _, g := range got {
		w := want[g.Path]
		switch {
		case g.Size < w.Size:
			problems = append(problems, Problem{g.Path, fmt.Sprintf("was truncated (%d bytes, want %d)", g.Size, w.Size)})
		case g.Size > w.Size:
			problems = append(problems, Problem{g.Path, fmt.Sprintf("was extended (%d bytes, want %d)", g.Size, w.Size)})
		case g.SHA256 != w.SHA256:
			problems = append(problems, Problem{g.Path, "was edited (sha256 " + g.SHA256[:12] + "…, want " + w.SHA256[:12] + "…)"})
		}
		if g.Exec != w.Exec {
			if g.Exec {
				problems = append(problems, Problem{g.Path, "was made executable"})
			} else {
				problems = append(problems, Problem{g.Path, "lost its executable bit"})
			}
		}
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b Problem) int { return strings.Compare(a.Path, b.Path) })
		return nil, nil, fail.Wrap(fail.Mismatch, &MismatchError{Dir: dir, Problems: problems})
	}
	return m, data, nil
}

// holdsFiles reports whether the directory dir holds a file somewhere below
// it. An added directory with files is reported through its files; only one
// with nothing to report of its own (an empty one) is reported itself.
func holdsFiles(dir string, entries []entry) bool {
	prefix := dir + "/"
	for _, e := range entries {
		if strings.HasPrefix(e.path, prefix) && e.kind != kindDir {
			return true
		}
	}
	return false
}

type entryKind int

const (
	kindDir entryKind = iota
	kindFile
)

type entry struct {
	path string
	kind entryKind
}

// walk lists the directories and regular files under dir, sorted, the root
// manifest and signature excluded; symbolic links and special files come back as problems.
func walk(dir string) ([]entry, []Problem, error) {
	var entries []entry
	var problems []Problem
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		switch t := d.Type(); {
		case t.IsDir():
			entries = append(entries, entry{rel, kindDir})
		case t.IsRegular():
			if rel != ManifestName && rel != SignatureName {
				entries = append(entries, entry{rel, kindFile})
			}
		case t&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			problems = append(problems, Problem{rel, fmt.Sprintf("is a symbolic link (to %q), want a regular file", target)})
		default:
			problems = append(problems, Problem{rel, fmt.Sprintf("is %s, want a regular file", files.DescribeMode(t))})
		}
		return nil
	})
	// WalkDir visits "a/b" before "a.txt"; the manifest sorts by the whole
	// path.
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.path, b.path) })
	return entries, problems, err
}

// hashAll hashes the regular files at the slash paths rel under dir, at most
// GOMAXPROCS at a time, and returns them in the order given. Files are opened
// without following symbolic links, so a file swapped for a link between the
// walk and the hash is caught too.
func hashAll(dir string, rel []string) ([]File, error) {
	out := make([]File, len(rel))
	errs := make([]error, len(rel))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = hashFile(dir, rel[i])
			}
		}()
	}
	for i := range rel {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func hashFile(dir, rel string) (File, error) {
	f, err := files.OpenNoFollow(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", rel, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", rel, err)
	}
	if !fi.Mode().IsRegular() {
		return File{}, fmt.Errorf("%s: not a regular file", rel)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", rel, err)
	}
	return File{Path: rel, Size: n, Exec: fi.Mode()&0o111 != 0, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
