// Package modshape reads the shape of a module built from a local
// directory: what `go mod tidy` depends on in it — its go.mod, and the
// imports of its Go files with their build constraints — and nothing else.
// An edit that leaves the shape as it was (the body of a function, a
// comment, a test) leaves the build graph as it was: plugctl need not tidy
// the build module again, nor change the lock.
//
// The files are those of the module set (modhash.Sums.ModuleFiles: what a
// module zip of the directory holds) that the go command builds from:
// Go files outside testdata and outside directories whose name starts
// with "." or "_". Test files do not count: the tests of a dependency are
// not part of the build graph of the module plugctl generates. A file
// constrained to the "ignore" tag counts for the digest, not for the
// imports, as the go command's own tidy leaves it out.
package modshape

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/plugctl/plugctl/internal/modhash"
)

// Shape is the shape of one local module.
type Shape struct {
	// Digest changes exactly when the go.mod or the imports or build
	// constraints of a Go file change, or a Go file comes or goes.
	Digest string
	// Imports are the import paths of its non-test Go files, sorted, each
	// once.
	Imports []string
}

// headerSize is how much of a Go file is read first: its package clause
// and imports are almost always within it.
const headerSize = 64 << 10

// Read returns the shape of the module whose files s lists. It opens the
// Go files again, reading only as far as their imports.
func Read(s *modhash.Sums) (*Shape, error) {
	names, err := s.ModuleFiles()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "plugctl-modshape/v1\n")
	if gomod, ok := s.Kept("go.mod"); ok {
		sum := sha256.Sum256(gomod)
		fmt.Fprintf(h, "go.mod %x\n", sum)
	} else {
		fmt.Fprintf(h, "go.mod none\n")
	}
	var imports []string
	for _, name := range names {
		if !built(name) {
			continue
		}
		constraint, imps, err := header(filepath.Join(s.Dir(), filepath.FromSlash(name)))
		if err != nil {
			return nil, fmt.Errorf("reading the imports of %s: %w", filepath.Join(s.Dir(), filepath.FromSlash(name)), err)
		}
		fmt.Fprintf(h, "file %q %q %q\n", name, constraint, imps)
		if constraint != "//go:build ignore" {
			imports = append(imports, imps...)
		}
	}
	slices.Sort(imports)
	return &Shape{Digest: "sha256:" + hex.EncodeToString(h.Sum(nil)), Imports: slices.Compact(imports)}, nil
}

// built reports whether the file at slash path name is a non-test Go file
// in a directory the go command builds packages from.
func built(name string) bool {
	if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
		return false
	}
	for _, elem := range strings.Split(path.Dir(name), "/") {
		if elem == "testdata" || strings.HasPrefix(elem, ".") && elem != "." || strings.HasPrefix(elem, "_") {
			return false
		}
	}
	base := path.Base(name)
	return !strings.HasPrefix(base, ".") && !strings.HasPrefix(base, "_")
}

// header returns the build constraint and the imports of the Go file at
// name, sorted, reading as little of it as it can.
func header(name string) (string, []string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, headerSize))
	if err != nil {
		return "", nil, err
	}
	c, imps, err := parse(name, data)
	if err != nil && len(data) == headerSize {
		// The imports go on past what was read: read the rest.
		rest, rerr := io.ReadAll(f)
		if rerr != nil {
			return "", nil, rerr
		}
		c, imps, err = parse(name, append(data, rest...))
	}
	return c, imps, err
}

// parse reads the build constraint and imports of a Go file's source.
func parse(name string, src []byte) (string, []string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return "", nil, err
	}
	constraint := ""
	for _, g := range f.Comments {
		if g.Pos() >= f.Package {
			break
		}
		for _, c := range g.List {
			if strings.HasPrefix(c.Text, "//go:build") || strings.HasPrefix(c.Text, "// +build") {
				constraint += string(bytes.TrimSpace([]byte(c.Text)))
			}
		}
	}
	var imps []string
	for _, is := range f.Imports {
		p, err := strconv.Unquote(is.Path.Value)
		if err != nil {
			return "", nil, err
		}
		imps = append(imps, p)
	}
	slices.Sort(imps)
	return constraint, slices.Compact(imps), nil
}
