package templates

import (
	"io/fs"
	"strings"
	"testing"
	"text/template"
	"text/template/parse"
)

// encoders are the functions through which a value may reach a template's
// output (codegen.Funcs and scaffold.Funcs).
var encoders = []string{"quote", "literal", "ident", "entry", "yaml", "comment", "code", "md"}

// TestValuesAreEncoded checks every template for the rule of the package
// doc: each action that writes something writes what an encoder returned,
// never a field, variable or other function's result as raw text.
func TestValuesAreEncoded(t *testing.T) {
	funcs := template.FuncMap{}
	for _, name := range encoders {
		funcs[name] = func(any) string { return "" }
	}
	srcs := map[string]string{"main.go.tmpl": Main, "init/plugconfig.yaml.tmpl": Starter}
	for _, fsys := range []fs.FS{NewPlug, Profiles} {
		err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".tmpl") {
				return err
			}
			data, err := fs.ReadFile(fsys, path)
			srcs[path] = string(data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(srcs) < 11 {
		t.Fatalf("found only %d templates", len(srcs))
	}
	for name, src := range srcs {
		tmpl, err := template.New(name).Funcs(funcs).Parse(src)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		checkEncoded(t, name, tmpl.Tree.Root)
	}
}

func checkEncoded(t *testing.T, name string, n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			checkEncoded(t, name, c)
		}
	case *parse.ActionNode:
		if len(n.Pipe.Decl) > 0 {
			return // {{$x := …}} writes nothing
		}
		last := n.Pipe.Cmds[len(n.Pipe.Cmds)-1]
		if id, ok := last.Args[0].(*parse.IdentifierNode); !ok || !isEncoder(id.Ident) {
			t.Errorf("%s:%d: {{%s}} writes a value without an encoder (%s)", name, n.Line, n.Pipe, strings.Join(encoders, ", "))
		}
	case *parse.IfNode:
		checkEncoded(t, name, n.List)
		checkEncoded(t, name, n.ElseList)
	case *parse.RangeNode:
		checkEncoded(t, name, n.List)
		checkEncoded(t, name, n.ElseList)
	case *parse.WithNode:
		checkEncoded(t, name, n.List)
		checkEncoded(t, name, n.ElseList)
	case *parse.TemplateNode:
		t.Errorf("%s: {{template %q}}: check the template it runs", name, n.Name)
	}
}

func isEncoder(name string) bool {
	for _, e := range encoders {
		if e == name {
			return true
		}
	}
	return false
}
