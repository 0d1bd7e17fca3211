package entry

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/plugctl/plugctl/internal/suggest"
)

// Problem is a reason a call would not compile against the package.
type Problem struct {
	// Where is the declaration the problem is about, as
	// display/file.go:line:col, or "" when there is none (a function
	// that does not exist).
	Where string
	// Off is the byte offset in the entry's text of the argument
	// concerned; 0 for the call as a whole.
	Off int
	Msg string
}

func (p Problem) Error() string {
	if p.Where == "" {
		return p.Msg
	}
	return p.Where + ": " + p.Msg
}

// Package is a Go package as its files declare it, read with go/parser.
type Package struct {
	Path    string // import path, for messages
	Name    string // package clause
	display string // the directory as messages name it
	fset    *token.FileSet
	funcs   map[string]*ast.FuncDecl // package-level functions, by name
	types   map[string]*ast.TypeSpec
	methods map[string]int // methods declared on each type of the package
	files   map[*ast.FuncDecl]*ast.File
	tfiles  map[*ast.TypeSpec]*ast.File
}

// maxFiles and maxFileSize bound what Load reads: a package is read to find
// one declaration, not to be compiled.
const (
	maxFiles    = 2000
	maxFileSize = 4 << 20
)

// Load reads the package in dir, whose import path is path; display names
// dir in messages (module@version/sub/dir rather than a module cache
// path). Test files are left out, and files whose build constraints the
// host's default build context excludes are read only when no other file
// declares what is looked for. The error says what is missing: the
// directory, or any Go file in it.
func Load(dir, path, display string) (*Package, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("package %s does not exist (no directory %s)", path, display)
		}
		return nil, fmt.Errorf("reading package %s: %w", path, err)
	}
	p := &Package{Path: path, display: display, fset: token.NewFileSet(), funcs: map[string]*ast.FuncDecl{}, types: map[string]*ast.TypeSpec{}, methods: map[string]int{},
		files: map[*ast.FuncDecl]*ast.File{}, tfiles: map[*ast.TypeSpec]*ast.File{}}
	ctx := build.Default
	ctx.CgoEnabled = false
	// Files that build on this host first: their declarations win.
	var matched, other []string
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
			continue
		}
		if ok, err := ctx.MatchFile(dir, n); err == nil && ok {
			matched = append(matched, n)
		} else if err == nil {
			other = append(other, n)
		}
	}
	if len(matched)+len(other) > maxFiles {
		return nil, fmt.Errorf("package %s has more than %d Go files", path, maxFiles)
	}
	if len(matched) == 0 {
		return nil, fmt.Errorf("package %s has no Go files that build (in %s)", path, display)
	}
	for i, n := range append(matched, other...) {
		name := filepath.Join(dir, n)
		if fi, err := os.Stat(name); err != nil || fi.Size() > maxFileSize {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("reading package %s: %w", path, err)
		}
		f, _ := parser.ParseFile(p.fset, display+"/"+n, src, parser.SkipObjectResolution)
		if f == nil {
			continue // the compiler reports a file that does not parse
		}
		if i < len(matched) && p.Name == "" && f.Name != nil {
			p.Name = f.Name.Name
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil && len(d.Recv.List) == 1 {
					p.methods[recvType(d.Recv.List[0].Type)]++
				}
				if d.Recv == nil && p.funcs[d.Name.Name] == nil {
					p.funcs[d.Name.Name] = d
					p.files[d] = f
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && p.types[ts.Name.Name] == nil {
						p.types[ts.Name.Name] = ts
						p.tfiles[ts] = f
					}
				}
			}
		}
	}
	return p, nil
}

// Check returns what would keep the generated main from calling c on p;
// none when it can call it.
func (p *Package) Check(c *Call) []Problem {
	if p.Name == "main" {
		return []Problem{{Msg: fmt.Sprintf("package %s is a main package: it cannot be imported (core.main names the package holding the entry function)", p.Path)}}
	}
	var out []Problem
	p.check(c, 0, &out)
	return out
}

// check checks the call c at offset off of the entry.
func (p *Package) check(c *Call, off int, out *[]Problem) *ast.FuncDecl {
	fd := p.funcs[c.Func]
	if fd == nil {
		var exported []string
		for n := range p.funcs {
			if token.IsExported(n) {
				exported = append(exported, n)
			}
		}
		slices.Sort(exported)
		where := p.Path
		if p.display != p.Path {
			where += " (" + p.display + ")"
		}
		msg := fmt.Sprintf("package %s declares no function %s", where, c.Func)
		if h := suggest.Hint(c.Func, exported); h != "" {
			msg += "; " + h
		}
		*out = append(*out, Problem{Off: off, Msg: msg})
		return nil
	}
	where := p.pos(fd.Name)
	sig := p.signature(fd)
	if fd.Type.TypeParams != nil && len(fd.Type.TypeParams.List) > 0 {
		*out = append(*out, Problem{Where: where, Off: off, Msg: fmt.Sprintf("%s%s is generic: the generated main cannot call it", c.Func, sig)})
		return fd
	}
	params, variadic := p.params(fd)
	n := len(c.Args)
	switch {
	case variadic && n < len(params)-1:
		*out = append(*out, Problem{Where: where, Off: off, Msg: fmt.Sprintf("%s%s takes at least %s, the entry gives %d", c.Func, sig, plural(len(params)-1, "argument"), n)})
		return fd
	case !variadic && n != len(params):
		*out = append(*out, Problem{Where: where, Off: off, Msg: fmt.Sprintf("%s%s takes %s, the entry gives %d", c.Func, sig, plural(len(params), "argument"), n)})
		return fd
	}
	for i, a := range c.Args {
		var pt ast.Expr
		if variadic && i >= len(params)-1 {
			pt = params[len(params)-1].(*ast.Ellipsis).Elt
		} else {
			pt = params[i]
		}
		p.checkArg(c, i, a, pt, p.files[fd], where, sig, out)
	}
	return fd
}

// checkArg checks argument i of c against the parameter type pt, declared
// in file f.
func (p *Package) checkArg(c *Call, i int, a Arg, pt ast.Expr, f *ast.File, where, sig string, out *[]Problem) {
	want := p.kindOf(pt, f, 0)
	var ok bool
	var what string
	switch a.Kind {
	case String, Var:
		what = "a string"
		ok = want.accepts(kindString)
	case Int:
		what = "an integer"
		ok = want.accepts(kindInt) || want == kindUint && a.Int >= 0 || want == kindFloat
	case Bool:
		what = "a bool"
		ok = want.accepts(kindBool)
	case Context:
		what = "a context.Context"
		ok = want.accepts(kindContext)
	case Embedded:
		// An fs.FS: an interface of another package, which only a
		// parameter of a basic kind or of a methodless type refuses.
		what = "an fs.FS (embedded)"
		ok = !want.basic() && want != kindContext && !p.methodless(pt)
	case Nested:
		fd := p.check(a.Call, a.Off, out)
		if fd == nil {
			return
		}
		res := fd.Type.Results
		count := 0
		if res != nil {
			count = res.NumFields()
		}
		if count != 1 {
			*out = append(*out, Problem{Where: p.pos(fd.Name), Off: a.Off, Msg: fmt.Sprintf("argument %d of %s: %s%s returns %s, not one value", i+1, c.Func, a.Call.Func, p.signature(fd), plural(count, "value"))})
			return
		}
		rt := res.List[0].Type
		if exprString(p.fset, rt) == exprString(p.fset, pt) {
			return
		}
		got := p.kindOf(rt, p.files[fd], 0)
		var mismatch bool
		switch {
		case want.basic():
			// A typed value goes into a parameter of another basic kind,
			// or of a basic kind at all, only when its kind is that one.
			mismatch = got != kindUnknown && got != want
		case want == kindContext || want == kindInterface:
			// A value with no methods cannot be an interface with some.
			mismatch = got.basic() || p.methodless(rt)
		}
		if mismatch {
			*out = append(*out, Problem{Where: where, Off: a.Off, Msg: fmt.Sprintf("argument %d of %s%s is the %s %s returns; the parameter is %s", i+1, c.Func, sig, exprString(p.fset, rt), a.Call.Func, exprString(p.fset, pt))})
		}
		return
	}
	if !ok {
		*out = append(*out, Problem{Where: where, Off: a.Off, Msg: fmt.Sprintf("argument %d of %s%s is %s; the parameter is %s", i+1, c.Func, sig, what, exprString(p.fset, pt))})
	}
}

// methodless reports whether t names a type of the package that is not an
// interface and has no methods declared on it (nor on its pointer).
func (p *Package) methodless(t ast.Expr) bool {
	id, ok := t.(*ast.Ident)
	if !ok {
		return false
	}
	ts := p.types[id.Name]
	if ts == nil || ts.Assign.IsValid() {
		return false
	}
	switch p.kindOf(ts.Type, p.tfiles[ts], 0) {
	case kindUnknown, kindAny, kindInterface, kindContext:
		return false
	}
	_, embeds := ts.Type.(*ast.StructType) // a struct may embed methods
	return !embeds && p.methods[id.Name] == 0
}

// recvType returns the name of a method's receiver type: T of T, *T, T[X].
func recvType(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// params returns the parameter types of fd, one per parameter, and whether
// the last is variadic (an *ast.Ellipsis).
func (p *Package) params(fd *ast.FuncDecl) ([]ast.Expr, bool) {
	var out []ast.Expr
	for _, f := range fd.Type.Params.List {
		n := max(len(f.Names), 1)
		for range n {
			out = append(out, f.Type)
		}
	}
	if len(out) == 0 {
		return nil, false
	}
	_, v := out[len(out)-1].(*ast.Ellipsis)
	return out, v
}

// kind is what a type is, as far as the package's files tell.
type kind uint8

const (
	kindUnknown   kind = iota // a type of another package, or too deep to follow
	kindString                // underlying string
	kindInt                   // underlying signed integer
	kindUint                  // underlying unsigned integer
	kindFloat                 // underlying float or complex
	kindBool                  // underlying bool
	kindAny                   // the empty interface
	kindInterface             // an interface with methods
	kindContext               // context.Context
	kindOther                 // a struct, pointer, slice, map, func or channel
)

func (k kind) basic() bool { return k >= kindString && k <= kindBool }

// accepts reports whether a parameter of kind k takes a value of kind v,
// answering yes when it cannot tell.
func (k kind) accepts(v kind) bool {
	switch k {
	case kindUnknown, kindAny:
		return true
	case kindInterface:
		// A string, number or bool has no methods; a context may have
		// the interface's.
		return v == kindContext
	}
	return k == v
}

var basicKinds = map[string]kind{
	"string": kindString, "bool": kindBool, "any": kindAny,
	"int": kindInt, "int8": kindInt, "int16": kindInt, "int32": kindInt, "int64": kindInt, "rune": kindInt,
	"uint": kindUint, "uint8": kindUint, "uint16": kindUint, "uint32": kindUint, "uint64": kindUint, "uintptr": kindUint, "byte": kindUint,
	"float32": kindFloat, "float64": kindFloat, "complex64": kindFloat, "complex128": kindFloat,
	"error": kindInterface,
}

// kindOf returns the kind of the type t, written in file f.
func (p *Package) kindOf(t ast.Expr, f *ast.File, depth int) kind {
	if depth > 16 {
		return kindUnknown
	}
	switch t := t.(type) {
	case *ast.ParenExpr:
		return p.kindOf(t.X, f, depth+1)
	case *ast.Ident:
		if ts := p.types[t.Name]; ts != nil {
			if ts.TypeParams != nil && len(ts.TypeParams.List) > 0 {
				return kindUnknown
			}
			return p.kindOf(ts.Type, p.tfiles[ts], depth+1)
		}
		if k, ok := basicKinds[t.Name]; ok {
			return k
		}
		return kindUnknown
	case *ast.SelectorExpr:
		if x, ok := t.X.(*ast.Ident); ok && t.Sel.Name == "Context" && importPath(f, x.Name) == "context" {
			return kindContext
		}
		return kindUnknown
	case *ast.InterfaceType:
		if t.Methods == nil || len(t.Methods.List) == 0 {
			return kindAny
		}
		for _, m := range t.Methods.List {
			if _, ok := m.Type.(*ast.FuncType); !ok {
				return kindUnknown // an embedded interface or a type set
			}
		}
		return kindInterface
	case *ast.StarExpr, *ast.ArrayType, *ast.MapType, *ast.FuncType, *ast.ChanType, *ast.StructType:
		return kindOther
	}
	return kindUnknown
}

// importPath returns the path file f imports under name, or "".
func importPath(f *ast.File, name string) string {
	if f == nil {
		return ""
	}
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		local := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			local = imp.Name.Name
		}
		if local == name {
			return path
		}
	}
	return ""
}

// pos returns where n is, as file:line:col.
func (p *Package) pos(n ast.Node) string {
	pos := p.fset.Position(n.Pos())
	return fmt.Sprintf("%s:%d:%d", pos.Filename, pos.Line, pos.Column)
}

// signature returns fd's parameters and results as the source writes
// them: (ctx context.Context, opts ...Opt) error.
func (p *Package) signature(fd *ast.FuncDecl) string {
	s := exprString(p.fset, fd.Type)
	return strings.TrimPrefix(s, "func")
}

func exprString(fset *token.FileSet, n ast.Node) string {
	var b bytes.Buffer
	if err := printer.Fprint(&b, fset, n); err != nil {
		return "?"
	}
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
