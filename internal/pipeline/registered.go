package pipeline

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
)

// checkRegistered checks, when the core uses the SDK, that each plug's
// package registers the name the config gives the plug: the generated main
// hands settings and start order to plugs by that name, and the SDK finds
// a plug only by the name its package passes to plug.Register, so a
// mismatch built fine and then failed when the program started ("plug X is
// configured but not compiled in"). The names are read from the package's
// calls plug.Register(plug.Plugin{Name: N}), N a string literal or a
// constant of the package; a package that registers none plugctl can read
// (a name built at run time, or registered from another package) is left
// to the SDK.
func (s *State) checkRegistered() error {
	if !s.Set.SDK {
		return nil
	}
	ctxs := s.buildContexts()
	var errs diag.List
	for i, c := range s.Set.Plugs {
		if c.Root == "" || c.Import != c.Module && !isBelow(c.Import, c.Module) {
			continue
		}
		names := registeredNames(newSrcTree(c, ctxs), strings.TrimPrefix(strings.TrimPrefix(c.Import, c.Module), "/"))
		if len(names) == 0 || slices.ContainsFunc(names, func(n regName) bool { return n.name == c.Name }) {
			continue
		}
		r := &s.requests[i+1]
		var said []string
		for _, n := range names {
			said = append(said, fmt.Sprintf("%q (%s)", n.name, n.at))
		}
		fix := "rename the plug in the config to " + names[0].name
		if len(names) > 1 {
			fix = "name the plug in the config by one of them"
		}
		errs = append(errs, &diag.Problem{File: r.File, Pos: r.At("name"), Subject: r.Name,
			Msg: fmt.Sprintf("package %s registers with the SDK as %s, not %q: the program would find no plug %q when it starts; %s",
				c.Import, strings.Join(said, ", "), c.Name, c.Name, fix)})
	}
	if len(errs) > 0 {
		return fail.Wrap(fail.Config, errs.Sort())
	}
	return nil
}

// regName is a name a package registers with the SDK, and where.
type regName struct {
	name, at string
}

// registeredNames returns the names the package at slash path rel of the
// source registers with the SDK, in the files that import it.
func registeredNames(t srcTree, rel string) []regName {
	fset := token.NewFileSet()
	var files []*ast.File
	var names []string // the files' display names
	for _, g := range t.files(rel) {
		if !slices.ContainsFunc(g.imports, func(i goImport) bool { return i.path == config.SDKModule }) {
			continue
		}
		data, err := t.whole(path.Join(rel, g.name))
		if err != nil {
			continue
		}
		f, err := parser.ParseFile(fset, g.name, data, parser.SkipObjectResolution)
		if err != nil {
			continue // the compiler says why
		}
		files = append(files, f)
		names = append(names, inSource(t.c, path.Join(rel, g.name)))
	}
	// The package's string constants, for Name: SomeConst.
	consts := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for j, n := range vs.Names {
					if j < len(vs.Values) {
						if v, ok := stringLit(vs.Values[j]); ok {
							consts[n.Name] = v
						}
					}
				}
			}
		}
	}
	var out []regName
	for k, f := range files {
		sdk := sdkName(f)
		if sdk == "" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || !isSel(call.Fun, sdk, "Register") || len(call.Args) != 1 {
				return true
			}
			arg := call.Args[0]
			if u, ok := arg.(*ast.UnaryExpr); ok && u.Op == token.AND {
				arg = u.X
			}
			lit, ok := arg.(*ast.CompositeLit)
			if !ok || !isSel(lit.Type, sdk, "Plugin") {
				return true
			}
			for _, e := range lit.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if key, isIdent := kv.Key.(*ast.Ident); !ok || !isIdent || key.Name != "Name" {
					continue
				}
				v, ok := stringLit(kv.Value)
				if id, isIdent := kv.Value.(*ast.Ident); !ok && isIdent {
					v, ok = consts[id.Name]
				}
				if ok {
					p := fset.Position(kv.Value.Pos())
					out = append(out, regName{v, fmt.Sprintf("%s:%d:%d", names[k], p.Line, p.Column)})
				}
			}
			return true
		})
	}
	return out
}

// sdkName is the name file f imports the SDK by; "" when it does not, or
// imports it blank or into the file's scope.
func sdkName(f *ast.File) string {
	for _, spec := range f.Imports {
		if p, err := strconv.Unquote(spec.Path.Value); err != nil || p != config.SDKModule {
			continue
		}
		if spec.Name == nil {
			return path.Base(config.SDKModule)
		}
		if n := spec.Name.Name; n != "_" && n != "." {
			return n
		}
	}
	return ""
}

// isSel reports whether e is pkg.name.
func isSel(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg
}

// stringLit returns the value of e when it is a string literal.
func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	v, err := strconv.Unquote(lit.Value)
	return v, err == nil
}

// whole returns the Go file at slash path rel of the source: from its Sums
// when they kept it (a file importing the SDK: modhash.Importers), so that
// a fetched tree is still read once in a run.
func (t srcTree) whole(rel string) ([]byte, error) {
	if t.c.Sums != nil {
		if b, ok := t.c.Sums.Kept(rel); ok {
			return b, nil
		}
	}
	return os.ReadFile(filepath.Join(t.c.Root, filepath.FromSlash(rel)))
}
