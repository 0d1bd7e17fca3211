// Package modhash hashes source trees: it is the one owner of the go.sum
// "h1:" hash of a module made from a directory and of the content hash of a
// local source, and it reads each file of a tree once to make both.
//
// # One walk, two file sets
//
// Dir walks a directory once and reads every file that either set below
// holds, once, keeping its SHA-256. Both hashes are then derived from those
// digests without reading anything again:
//
//   - The module set is the set of files a module zip made from the
//     directory holds, as golang.org/x/mod/zip.CheckDir lists and checks
//     them: no version-control directories (.bzr, .git, .hg, .svn), no
//     nested modules (a subdirectory with a go.mod file of its own), no
//     vendored packages (vendor/modules.txt from go 1.24 on, no package
//     below vendor/), no symbolic links or other files that are not regular,
//     and no .hg_archival.txt; a name the go command refuses, names that
//     differ only in case, an oversized go.mod or LICENSE, or a tree over
//     the size limit make the directory no module at all. Sums.Module
//     derives the hash go.sum records for the zip of that set at any
//     module@version, as golang.org/x/mod/sumdb/dirhash.Hash1 computes it:
//     the SHA-256, base64-encoded, of the sorted lines
//     "<hex sha256 of the file>  <module>@<version>/<name>\n".
//   - The content set is what a build can read from a local source:
//     everything but version-control directories, plugctl's own state
//     directory (.plugctl) and nested modules (a subdirectory holding
//     anything named go.mod); a symbolic link to a regular file counts as
//     the file it points to, as the go command reads it, and links to
//     directories or to nothing are left out. Vendored packages and files
//     the module rules refuse count. Sums.Content is the same Hash1 formula
//     over those files with their plain names. It depends on names and bytes
//     only: not on where the directory is, nor on modes, owners or times.
//
// A symbolic link at the root is followed. The root go.mod is read first
// (its go directive decides the vendor rules) and the bytes read are the
// ones hashed; Sums keeps them, and the bytes of other root files the caller
// names, so that nobody opens them again. Of every Go file it keeps the
// head (Sums.GoHead): build constraints, package clause and imports, what
// a check of the packages a tree holds and imports needs.
//
// Cache keeps the Sums of each directory for one run, so that the steps of
// a run that need a tree's hashes — resolving, generating, deciding whether
// an artifact is up to date, locking the build graph, vendoring — share one
// read of it.
package modhash

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"go/parser"
	"go/token"
	"go/version"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

// MaxKeep is the largest root file whose bytes Sums keeps (the go command's
// limit on a go.mod file).
const MaxKeep = modzip.MaxGoMod

// Sums are the digests of the files of one directory, read once, and the two
// file sets of the package documentation.
type Sums struct {
	dir  string // the directory as the caller named it, for messages
	real string // the directory with links resolved, absolute: where the files are
	// files holds every file read: its digest, or why it could not be read.
	files map[string]digest
	// content and module list the names of the two sets, sorted.
	content []string
	module  []string
	// contentErr and moduleErr say why a set cannot be hashed: the walk
	// failed in a directory the set visits (contentErr, moduleErr), or the
	// files are no module (invalid: the files the module zip rules refuse,
	// relative; sizeErr: the tree is too large).
	contentErr error
	moduleErr  error
	invalid    modzip.FileErrorList
	sizeErr    error
	kept       map[string][]byte // root files kept, by name
	heads      map[string][]byte // the heads of Go files, by name
}

type digest struct {
	sum [sha256.Size]byte
	err error
}

// Dir walks dir and reads the files of both sets once; keep names root
// files whose bytes the caller will want (the root go.mod is always kept),
// up to MaxKeep bytes each. An error is returned only when dir cannot be
// read at all; a set that cannot be hashed says so when asked for its hash.
func Dir(dir string, keep ...string) (*Sums, error) {
	return walk(dir, keep, os.Open)
}

// opener opens a file for reading; tests count the calls.
type opener func(name string) (*os.File, error)

func walk(dir string, keep []string, open opener) (*Sums, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err == nil {
		real, err = filepath.Abs(real)
	}
	if err != nil {
		return nil, fmt.Errorf("hashing %s: %w", dir, err)
	}
	s := &Sums{dir: dir, real: real, files: map[string]digest{}, kept: map[string][]byte{}, heads: map[string][]byte{}}
	w := &walker{s: s, open: open, keep: map[string]bool{"go.mod": true}}
	for _, k := range keep {
		if p, ok := strings.CutPrefix(k, importersOf); ok {
			w.importers = append(w.importers, p)
			continue
		}
		w.keep[k] = true
	}
	// The root go.mod, read as the module zip rules read it (a link
	// followed): its go directive decides what vendor/ leaves out.
	if data, d := w.read("go.mod"); d.err == nil {
		s.files["go.mod"] = d
		w.goMod = data
		w.listVers = goVersion(data)
	}
	w.dir("", real, true, true)
	s.content, s.contentErr, s.moduleErr = w.content, w.contentErr, w.moduleErr
	slices.Sort(s.content) // the walk's order is not the names' ("a-b" < "a/c")
	if s.moduleErr == nil {
		// The module zip rules (zip.CheckFiles) on what the walk listed.
		cf, _ := modzip.CheckFiles(w.candidates)
		s.module, s.invalid, s.sizeErr = cf.Valid, cf.Invalid, cf.SizeError
		slices.Sort(s.module)
	}
	for _, set := range [][]string{s.content, s.module} {
		for _, name := range set {
			if _, ok := s.files[name]; !ok {
				_, s.files[name] = w.read(name)
			}
		}
	}
	return s, nil
}

// walker is the state of one walk.
type walker struct {
	s    *Sums
	open opener
	keep map[string]bool
	// importers are the import paths whose importing Go files are kept
	// whole (Importers).
	importers []string
	goMod     []byte // the root go.mod, as read
	listVers  string // its go version, for the vendor rule of the walk
	// candidates are the regular files the module zip rules list, before
	// they are checked.
	candidates []modzip.File
	content    []string
	contentErr error
	moduleErr  error
}

// vcsDirs are left out of both sets; contentSkip adds plugctl's state.
var (
	vcsDirs     = map[string]bool{".bzr": true, ".git": true, ".hg": true, ".svn": true}
	contentSkip = map[string]bool{".bzr": true, ".git": true, ".hg": true, ".svn": true, ".plugctl": true}
)

// dir walks the directory full, at slash path rel ("" for the root),
// which the content set (c) and the module set (m) each visit or not.
func (w *walker) dir(rel, full string, c, m bool) {
	ents, err := os.ReadDir(full)
	if err != nil {
		if c && w.contentErr == nil {
			w.contentErr = err
		}
		if m && w.moduleErr == nil {
			w.moduleErr = err
		}
		return
	}
	for _, e := range ents {
		name := path.Join(rel, e.Name())
		p := filepath.Join(full, e.Name())
		if e.IsDir() {
			var mc, cc bool
			if m {
				mc = w.moduleDir(name, p)
			}
			if c {
				cc = !contentSkip[e.Name()] && !exists(filepath.Join(p, "go.mod"))
			}
			if mc || cc {
				w.dir(name, p, cc, mc)
			}
			continue
		}
		if m && !isVendoredPackage(name, w.listVers) {
			// As zip.CheckDir lists a directory: every path its walk
			// reaches is lstat'ed; what is not a regular file is left out.
			info, err := e.Info()
			switch {
			case err != nil:
				if w.moduleErr == nil {
					w.moduleErr = err
				}
			case info.Mode().IsRegular():
				w.candidates = append(w.candidates, zipFile{name: name, info: info, w: w})
			}
		}
		if c {
			switch t := e.Type(); {
			case t.IsRegular():
				w.content = append(w.content, name)
			case t&fs.ModeSymlink != 0:
				// A link to a regular file is that file, as the go command
				// reads it; a dangling link or one to a directory is not.
				if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
					w.content = append(w.content, name)
				}
			}
		}
	}
}

// moduleDir reports whether the module zip rules descend into the
// directory at slash path name (full path p), as zip.CheckDir's walk does:
// a directory below a vendored package is entered without any other check;
// otherwise version-control directories and nested modules (a go.mod that
// is not a directory, a link included) are not.
func (w *walker) moduleDir(name, p string) bool {
	if isVendoredPackage(name, w.listVers) {
		return true
	}
	if vcsDirs[path.Base(name)] {
		return false
	}
	fi, err := os.Lstat(filepath.Join(p, "go.mod"))
	return err != nil || fi.IsDir()
}

// exists reports whether name exists, links followed.
func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

// read opens the file at slash path name below the root, links followed,
// and returns its digest, keeping its bytes when it is a root file to keep
// of at most MaxKeep bytes.
func (w *walker) read(name string) ([]byte, digest) {
	f, err := w.open(filepath.Join(w.s.real, filepath.FromSlash(name)))
	if err != nil {
		return nil, digest{err: err}
	}
	defer f.Close()
	h := sha256.New()
	var r io.Reader = f
	var buf *capped
	if w.keep[name] && !strings.Contains(name, "/") {
		buf = &capped{max: MaxKeep}
		r = io.TeeReader(f, buf)
	}
	var head *prefix
	if strings.HasSuffix(name, ".go") {
		head = &prefix{max: maxHead}
		r = io.TeeReader(r, head)
	}
	n, err := io.Copy(h, r)
	if err != nil {
		return nil, digest{err: err}
	}
	var d digest
	copy(d.sum[:], h.Sum(nil))
	if head != nil {
		if b, imports, ok := goHead(name, head.b); ok {
			w.s.heads[name] = b
			if n == int64(len(head.b)) && slices.ContainsFunc(imports, func(p string) bool { return slices.Contains(w.importers, p) }) {
				w.s.kept[name] = slices.Clip(head.b)
			}
		}
	}
	if buf == nil || buf.over {
		return nil, d
	}
	data := buf.b.Bytes()
	w.s.kept[name] = data
	return data, d
}

// importersOf starts a keep entry that names an import path (Importers):
// a NUL, which no file name holds.
const importersOf = "\x00importers of "

// Importers is the entry of Dir's keep list (and NewCache's) that keeps the
// whole of every Go file of at most 64 KiB importing the package path p,
// for a check that reads more of those files than their heads without
// opening them again.
func Importers(p string) string { return importersOf + p }

// maxHead is how much of a Go file is looked at for its head: build
// constraints, package clause and imports come first, and are rarely
// longer than a few kilobytes.
const maxHead = 64 << 10

// prefix keeps the first max bytes written to it.
type prefix struct {
	b   []byte
	max int
}

func (p *prefix) Write(b []byte) (int, error) {
	if room := p.max - len(p.b); room > 0 {
		p.b = append(p.b, b[:min(room, len(b))]...)
	}
	return len(b), nil
}

// goHead returns the head of the Go file name whose first bytes are data:
// up to the end of its imports (its package clause when it has none), and
// the paths it imports; false when they do not parse within data.
func goHead(name string, data []byte) ([]byte, []string, bool) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, data, parser.ImportsOnly|parser.ParseComments)
	if err != nil || f.Name == nil {
		return nil, nil, false
	}
	var imports []string
	for _, spec := range f.Imports {
		if p, err := strconv.Unquote(spec.Path.Value); err == nil {
			imports = append(imports, p)
		}
	}
	end := f.Name.End()
	for _, d := range f.Decls {
		end = max(end, d.End())
	}
	off := fset.Position(end).Offset
	if off < 0 || off > len(data) {
		return nil, nil, false
	}
	return slices.Clip(slices.Clone(data[:off])), imports, true
}

// capped keeps what is written to it while that is at most max bytes.
type capped struct {
	b    bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if !c.over && c.b.Len()+len(p) <= c.max {
		c.b.Write(p)
	} else {
		c.over = true
		c.b = bytes.Buffer{}
	}
	return len(p), nil
}

// goVersion returns the language version of a go.mod's go directive, as
// the module zip rules read it: "" when there is none.
func goVersion(data []byte) string {
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil || f.Go == nil {
		return ""
	}
	return version.Lang("go" + f.Go.Version)
}

// isVendoredPackage is golang.org/x/mod/zip's rule (v0.42.0) for a file
// the module zip leaves out as part of a vendored package: from go 1.24
// on, vendor/modules.txt too. (golang.org/issue/37397 explains the two
// ways of finding a nested vendor directory.)
func isVendoredPackage(name, vers string) bool {
	if version.Compare(vers, "go1.24") >= 0 && name == "vendor/modules.txt" {
		return true
	}
	var i int
	if strings.HasPrefix(name, "vendor/") {
		i += len("vendor/")
	} else if j := strings.Index(name, "/vendor/"); j >= 0 {
		if version.Compare(vers, "go1.24") >= 0 {
			i = j + len("/vendor/")
		} else {
			i += len("/vendor/")
		}
	} else {
		return false
	}
	return strings.Contains(name[i:], "/")
}

// zipFile is a file of the walk as golang.org/x/mod/zip sees it. Only the
// root go.mod is ever opened (for its go directive): it comes from memory.
type zipFile struct {
	name string
	info fs.FileInfo
	w    *walker
}

func (f zipFile) Path() string                { return f.name }
func (f zipFile) Lstat() (fs.FileInfo, error) { return f.info, nil }
func (f zipFile) Open() (io.ReadCloser, error) {
	if f.name == "go.mod" && f.w.goMod != nil {
		return io.NopCloser(bytes.NewReader(f.w.goMod)), nil
	}
	return nil, fmt.Errorf("%s: not read", f.name)
}

// Dir returns the directory the files were read from, links resolved.
func (s *Sums) Dir() string { return s.real }

// At returns the sums of the same files found at dir: the directory they
// were read from was renamed to dir.
func (s *Sums) At(dir string) *Sums {
	c := *s
	c.dir, c.real = dir, dir
	if abs, err := filepath.Abs(dir); err == nil {
		c.real = abs
	}
	return &c
}

// Module returns the go.sum hash ("h1:…") of the module modulePath at
// version made from the directory: exactly the hash the go command records
// for the module zip of its module set.
func (s *Sums) Module(modulePath, version string) (string, error) {
	if err := module.Check(modulePath, version); err != nil {
		return "", err
	}
	if err := s.moduleSetErr(); err != nil {
		return "", err
	}
	prefix := modulePath + "@" + version + "/"
	h := sha256.New()
	for _, name := range s.module {
		d := s.files[name]
		if d.err != nil {
			return "", d.err
		}
		fmt.Fprintf(h, "%x  %s%s\n", d.sum, prefix, name)
	}
	return "h1:" + base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// moduleSetErr says why the directory is no module: why its module set
// could not be listed, or the files that set refuses.
func (s *Sums) moduleSetErr() error {
	switch {
	case s.moduleErr != nil:
		return fmt.Errorf("hashing %s: %w", s.real, s.moduleErr)
	case s.sizeErr != nil:
		return fmt.Errorf("hashing %s: %w", s.real, s.sizeErr)
	case len(s.invalid) > 0:
		// As zip.CheckDir reports them: with the files' paths.
		invalid := slices.Clone(s.invalid)
		for i := range invalid {
			invalid[i].Path = filepath.Join(s.real, filepath.FromSlash(invalid[i].Path))
		}
		return fmt.Errorf("hashing %s: %w", s.real, invalid)
	}
	for _, name := range s.module {
		if d := s.files[name]; d.err != nil {
			return d.err
		}
	}
	return nil
}

// ModuleFiles returns the slash-separated names, relative to Dir, of the
// module set: exactly the files a module zip of the directory holds,
// sorted; or why the directory is no module, as Module says it.
func (s *Sums) ModuleFiles() ([]string, error) {
	if err := s.moduleSetErr(); err != nil {
		return nil, err
	}
	return slices.Clone(s.module), nil
}

// Content returns the content hash of the directory: the h1: formula over
// the content set with plain names.
func (s *Sums) Content() (string, error) {
	if s.contentErr != nil {
		return "", fmt.Errorf("hashing %s: %w", s.dir, s.contentErr)
	}
	h := sha256.New()
	for _, name := range s.content {
		if strings.Contains(name, "\n") {
			return "", fmt.Errorf("hashing %s: dirhash: filenames with newlines are not supported", s.dir)
		}
		d := s.files[name]
		if d.err != nil {
			return "", fmt.Errorf("hashing %s: %w", s.dir, d.err)
		}
		fmt.Fprintf(h, "%x  %s\n", d.sum, name)
	}
	return "h1:" + base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// ContentFiles returns the slash-separated names, relative to Dir, of the
// content set, sorted.
func (s *Sums) ContentFiles() ([]string, error) {
	if s.contentErr != nil {
		return nil, fmt.Errorf("hashing %s: %w", s.dir, s.contentErr)
	}
	return slices.Clone(s.content), nil
}

// Sum returns the SHA-256 of the file at slash path name as it was read,
// and whether it was.
func (s *Sums) Sum(name string) ([sha256.Size]byte, bool) {
	d, ok := s.files[name]
	return d.sum, ok && d.err == nil
}

// GoHead returns the head of the Go file at slash path name, as it was
// read and hashed: its bytes up to the end of its imports (its package
// clause when it has none), which hold its build constraints, package
// name and imports; false when the file was not read, or its imports do not
// parse within its first 64 KiB.
func (s *Sums) GoHead(name string) ([]byte, bool) {
	b, ok := s.heads[name]
	return b, ok
}

// Kept returns the bytes of the root file name as they were read and
// hashed, when it is one the caller asked to keep (or go.mod), it is a
// file (or a link to one) and it holds at most MaxKeep bytes; or those of
// the Go file at slash path name when it imports a path the caller asked
// for (Importers) and holds at most 64 KiB.
func (s *Sums) Kept(name string) ([]byte, bool) {
	data, ok := s.kept[name]
	return data, ok
}
