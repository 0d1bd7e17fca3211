package kinds

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/testenv"
)

// kindConstants returns the values of the Kind constants internal/source
// declares, in the order it declares them, read from its source.
func kindConstants(t *testing.T) []source.Kind {
	_, values := kindDecls(t)
	return values
}

// kindDecls returns the names and values of the Kind constants.
func kindDecls(t *testing.T) (names []string, values []source.Kind) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join(testenv.RepoRoot(t), "internal", "source", "source.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Kind" {
				continue
			}
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					t.Fatalf("Kind constant %s is not a string literal", name.Name)
				}
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				names, values = append(names, name.Name), append(values, source.Kind(v))
			}
		}
	}
	if len(names) == 0 {
		t.Fatal("no Kind constants found in internal/source/source.go")
	}
	return names, values
}

// missedKinds parses one Go file and returns, for every switch whose cases
// name a Kind constant (source.Git outside package source, Git inside it),
// the constants it does not name, or an empty default clause it has: a
// switch over kinds handles each of them, and nothing silently.
func missedKinds(fset *token.FileSet, name string, src any, consts []string) ([]string, error) {
	f, err := parser.ParseFile(fset, name, src, 0)
	if err != nil {
		return nil, err
	}
	inSource := f.Name.Name == "source"
	constName := func(e ast.Expr) (string, bool) {
		switch x := e.(type) {
		case *ast.SelectorExpr:
			if pkg, ok := x.X.(*ast.Ident); ok && pkg.Name == "source" && slices.Contains(consts, x.Sel.Name) {
				return x.Sel.Name, true
			}
		case *ast.Ident:
			if inSource && slices.Contains(consts, x.Name) {
				return x.Name, true
			}
		case *ast.CallExpr: // Kind("git") and the like are not constants
		}
		return "", false
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		sw, ok := n.(*ast.SwitchStmt)
		if !ok || sw.Tag == nil {
			return true
		}
		named := map[string]bool{}
		var def *ast.CaseClause
		for _, st := range sw.Body.List {
			cc := st.(*ast.CaseClause)
			if cc.List == nil {
				def = cc
			}
			for _, e := range cc.List {
				if c, ok := constName(e); ok {
					named[c] = true
				}
			}
		}
		if len(named) == 0 {
			return true
		}
		pos := fset.Position(sw.Pos())
		for _, c := range consts {
			if !named[c] {
				out = append(out, fmt.Sprintf("%s:%d: switch over source kinds misses %s", pos.Filename, pos.Line, c))
			}
		}
		if def != nil && len(def.Body) == 0 {
			out = append(out, fmt.Sprintf("%s:%d: switch over source kinds has an empty default", pos.Filename, pos.Line))
		}
		return true
	})
	return out, nil
}

// TestSwitchesExhaustive parses every Go file of the repository and fails
// for a switch over source kinds that misses a Kind constant or has a
// silent default, so a kind added to internal/source is handled wherever
// a switch names kinds (most code asks the kind itself instead).
func TestSwitchesExhaustive(t *testing.T) {
	consts, _ := kindDecls(t)
	fset := token.NewFileSet()
	root := testenv.RepoRoot(t)
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == "testdata" || strings.HasPrefix(name, ".") || name == "bin" || name == "dist") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		files++
		missed, err := missedKinds(fset, path, nil, consts)
		if err != nil {
			return err
		}
		for _, m := range missed {
			t.Error(strings.TrimPrefix(m, root+string(os.PathSeparator)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("only %d Go files found under %s", files, root)
	}
}

// TestMissedKinds checks the checker itself on switches that miss a kind.
func TestMissedKinds(t *testing.T) {
	consts := []string{"Module", "Git", "Archive", "Local"}
	src := `package p

func f(k source.Kind) {
	switch k {
	case source.Module, source.Git:
	case source.Archive:
	}
	switch k {
	case source.Module, source.Git, source.Archive, source.Local:
	default:
	}
	switch k {
	case source.Module, source.Git, source.Archive, source.Local:
	default:
		panic(k)
	}
	switch x {
	case 1:
	}
}
`
	got, err := missedKinds(token.NewFileSet(), "p.go", src, consts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"p.go:4: switch over source kinds misses Local", "p.go:8: switch over source kinds has an empty default"}
	if !slices.Equal(got, want) {
		t.Errorf("missedKinds =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
