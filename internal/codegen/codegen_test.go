package codegen

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"golang.org/x/mod/module"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func sample() Data {
	return Data{
		Name: "acme",
		Core: Core{Main: "example.com/core/app", Entry: "Main"},
		SDK:  true,
		Imports: []string{
			"example.com/metrics/plug",
			"example.com/std/all",
		},
		Plugs: []Plug{
			{Name: "metrics", Module: "example.com/metrics", Version: "v0.3.1", Import: "example.com/metrics/plug",
				Settings: map[string]any{"listen": ":9090", "sample_rate": 0.5, "n": int64(-3), "tags": []any{"a", nil, true}, "nested": map[string]any{"z": "1", "a": "2"}}},
			{Name: "audit", Module: "example.com/audit", Version: "v0.0.0", Import: "example.com/audit", Settings: map[string]any{}},
		},
		Info: `plugctl-info:v1:{"name":"acme"}`,
	}
}

func TestMainGolden(t *testing.T) {
	tests := []struct {
		name string
		data func() Data
	}{
		{"sdk", sample},
		{"nosdk", func() Data {
			d := sample()
			d.SDK = false
			for i := range d.Plugs {
				d.Plugs[i].Settings = nil
			}
			d.Core.Entry = "Run"
			return d
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Main(tt.data(), "")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "main_"+tt.name+".go.golden", got)
			again, _ := Main(tt.data(), "")
			if !bytes.Equal(got, again) {
				t.Error("two renders of the same input differ")
			}
		})
	}
}

func TestCustomTemplate(t *testing.T) {
	tmpl := "package main\nimport core {{quote .Core.Main}}\nfunc main() { core.{{.Core.Entry}}() }\n"
	got, err := Main(sample(), tmpl)
	if err != nil {
		t.Fatal(err)
	}
	want := Header + "\n\npackage main\n\nimport core \"example.com/core/app\"\n\nfunc main() { core.Main() }\n"
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if _, err := Main(sample(), "package main\nfunc main() { {{.Nope}} }"); err == nil {
		t.Error("a template naming an unknown field rendered")
	}
	if _, err := Main(sample(), "package main\nfunc main() { ) }"); err == nil {
		t.Error("a template producing invalid Go rendered")
	}
}

func TestGoModGolden(t *testing.T) {
	got, err := GoMod(Module{
		Path: "plugctl.build/acme",
		Go:   "1.26",
		Require: []module.Version{
			{Path: "example.com/z", Version: "v1.0.0"},
			{Path: "example.com/a", Version: "v0.0.0"},
		},
		Replace: []Replace{
			{Old: module.Version{Path: "example.com/z"}, New: module.Version{Path: "example.com/z", Version: "v1.0.1"}},
			{Old: module.Version{Path: "example.com/a"}, New: module.Version{Path: "../../plugins/a"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "go.mod.golden", got)
}

// hostile holds strings that break naive code generators.
var hostile = []string{
	"", `"`, `\`, "`", "``` \" \\ '", "line1\nline2\r\n", "*/ /*", "// comment",
	"\x00", "a\x00b", "\u202e", "\xff\xfe", "{{.Name}}", "\t\v\f", "日本語", "\U0001F600",
	`")); os.Exit(1) //`, "\\x00",
}

func TestLiteralRoundTrip(t *testing.T) {
	values := []any{nil, true, false, int64(0), int64(math.MaxInt64), int64(math.MinInt64),
		0.5, 1e300, -2.5e-300, math.SmallestNonzeroFloat64, 3.0, float64(1 << 60),
		[]any{}, []any{"a", int64(1), nil}, map[string]any{}, map[string]any{"k": map[string]any{"x": []any{1.5}}}}
	for _, s := range hostile {
		values = append(values, s, map[string]any{s: s}, []any{s})
	}
	for i, v := range values {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			checkRoundTrip(t, v)
		})
	}
}

func checkRoundTrip(t *testing.T, v any) {
	t.Helper()
	lit := Literal(v)
	expr, err := parser.ParseExpr(lit)
	if err != nil {
		t.Fatalf("Literal(%#v) = %s: not a Go expression: %v", v, lit, err)
	}
	got, err := eval(expr)
	if err != nil {
		t.Fatalf("Literal(%#v) = %s: %v", v, lit, err)
	}
	if !reflect.DeepEqual(got, v) {
		t.Fatalf("Literal(%#v) = %s evaluates to %#v", v, lit, got)
	}
}

// eval interprets the subset of Go that Literal produces, as the compiler
// would, so the round trip is checked without compiling a program per value.
func eval(e ast.Expr) (any, error) {
	switch e := e.(type) {
	case *ast.Ident:
		switch e.Name {
		case "nil":
			return nil, nil
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			return strconv.Unquote(e.Value)
		}
	case *ast.CallExpr:
		fn, ok := e.Fun.(*ast.Ident)
		if !ok || len(e.Args) != 1 {
			break
		}
		text, neg := e.Args[0], false
		if u, ok := text.(*ast.UnaryExpr); ok && u.Op == token.SUB {
			text, neg = u.X, true
		}
		lit, ok := text.(*ast.BasicLit)
		if !ok {
			break
		}
		s := lit.Value
		if neg {
			s = "-" + s
		}
		switch fn.Name {
		case "int64":
			return strconv.ParseInt(s, 10, 64)
		case "float64":
			return strconv.ParseFloat(s, 64)
		}
	case *ast.CompositeLit:
		switch e.Type.(type) {
		case *ast.ArrayType:
			out := []any{}
			for _, el := range e.Elts {
				v, err := eval(el)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			return out, nil
		case *ast.MapType:
			out := map[string]any{}
			for _, el := range e.Elts {
				kv := el.(*ast.KeyValueExpr)
				k, err := eval(kv.Key)
				if err != nil {
					return nil, err
				}
				v, err := eval(kv.Value)
				if err != nil {
					return nil, err
				}
				out[k.(string)] = v
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("unsupported expression %T", e)
}

func FuzzLiteral(f *testing.F) {
	for _, s := range hostile {
		f.Add(s, int64(len(s)), float64(len(s))/3)
	}
	f.Fuzz(func(t *testing.T, s string, n int64, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 && math.Signbit(x) {
			t.Skip()
		}
		checkRoundTrip(t, map[string]any{s: []any{s, n, x, map[string]any{"k": s}}})
	})
}
