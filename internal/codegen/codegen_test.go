package codegen

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/setting"
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
		{"refs", func() Data {
			d := sample()
			d.Plugs[1].Settings = map[string]any{
				"token": setting.Ref{Env: "AUDIT_TOKEN", Type: "string"},
				"key":   setting.Ref{File: "/run/secrets/\"key\"\n", HasDefault: true, Default: map[string]any{"a": int64(1)}, Type: "map"},
				"port":  setting.Ref{Env: "AUDIT_PORT", HasDefault: true},
				"plain": "value",
			}
			return d
		}},
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
		0.5, 1e300, -2.5e-300, math.SmallestNonzeroFloat64, 3.0, float64(1 << 60), math.Copysign(0, -1), -1.5,
		math.MaxFloat64, -math.MaxFloat64,
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
	if !same(got, v) {
		t.Fatalf("Literal(%#v) = %s evaluates to %#v", v, lit, got)
	}
}

// same is reflect.DeepEqual with floats compared bit for bit, so that -0
// and +0 differ as they do to a plug that looks at the sign.
func same(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && math.Float64bits(a) == math.Float64bits(b)
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !same(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) || (a == nil) != (b == nil) {
			return false
		}
		for k, v := range a {
			w, ok := b[k]
			if !ok || !same(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
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
		if _, ok := e.Fun.(*ast.FuncLit); ok {
			// The one function literal Literal writes: negative zero.
			if types.ExprString(e) == types.ExprString(mustParse(negativeZero)) {
				return math.Copysign(0, -1), nil
			}
			break
		}
		if m, ok := e.Fun.(*ast.ParenExpr); ok && len(e.Args) == 1 {
			if _, ok := m.X.(*ast.MapType); ok && types.ExprString(e.Args[0]) == "nil" {
				return map[string]any(nil), nil
			}
		}
		if m, ok := e.Fun.(*ast.MapType); ok && len(e.Args) == 1 && types.ExprString(m) == "map[string]any" && types.ExprString(e.Args[0]) == "nil" {
			return map[string]any(nil), nil
		}
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
			f, err := strconv.ParseFloat(s, 64)
			if f == 0 {
				f = 0 // a constant expression is never negative zero
			}
			return f, err
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
	return nil, fmt.Errorf("unsupported expression %s", types.ExprString(e))
}

func mustParse(src string) ast.Expr {
	e, err := parser.ParseExpr(src)
	if err != nil {
		panic(err)
	}
	return e
}

// FuzzLiteral checks the property the generated main relies on: any
// settings value — strings of any bytes, any int64, any finite float
// (negative zero included), nested lists and maps — rendered into the whole
// main package by Main parses as Go, and the Settings expression of its
// plug evaluates back to exactly the value, bit for bit. The plug's name,
// module, version and the build description go through the same renderer
// and must come back unchanged too. The seeds are the hostile strings above
// and the settings of the hostile-input corpus.
func FuzzLiteral(f *testing.F) {
	for _, s := range hostile {
		f.Add(s, int64(len(s)), float64(len(s))/3, []byte(s))
	}
	f.Add("", int64(math.MinInt64), math.Copysign(0, -1), []byte{0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add("{{.Name}}", int64(-1), math.MaxFloat64, []byte("\x05\x05\x05\x06"))
	f.Fuzz(func(t *testing.T, s string, n int64, x float64, shape []byte) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Skip() // the config loader refuses them
		}
		g := &gen{shape: shape, s: s, n: n, x: x}
		settings := map[string]any{s: []any{s, n, x, map[string]any{"k": s}}, "tree": g.value(0)}
		checkRoundTrip(t, settings)

		d := Data{
			Name: "fuzz", Core: Core{Main: "example.com/core", Entry: "Main"}, SDK: true,
			Imports: []string{"example.com/p"},
			Plugs:   []Plug{{Name: "p", Module: "example.com/p", Version: s, Import: "example.com/p", Settings: settings}},
			Info:    s,
		}
		src, err := Main(d, "")
		if err != nil {
			t.Fatalf("Main: %v", err)
		}
		file, err := parser.ParseFile(token.NewFileSet(), "main.go", src, parser.ParseComments)
		if err != nil {
			t.Fatalf("generated main does not parse: %v\n%s", err, src)
		}
		var gotSettings, gotVersion, gotInfo ast.Expr
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.KeyValueExpr:
				switch types.ExprString(n.Key) {
				case "Settings":
					gotSettings = n.Value
				case "Version":
					gotVersion = n.Value
				}
			case *ast.ValueSpec:
				if len(n.Names) == 1 && n.Names[0].Name == "plugctlInfo" {
					gotInfo = n.Values[0]
				}
			}
			return true
		})
		if gotSettings == nil || gotVersion == nil || gotInfo == nil {
			t.Fatalf("generated main lacks the plug's settings, version or the build description:\n%s", src)
		}
		for _, c := range []struct {
			name string
			expr ast.Expr
			want any
		}{{"Settings", gotSettings, settings}, {"Version", gotVersion, s}, {"plugctlInfo", gotInfo, s}} {
			got, err := eval(c.expr)
			if err != nil {
				t.Fatalf("%s in the generated main: %v", c.name, err)
			}
			if !same(got, c.want) {
				t.Fatalf("%s in the generated main is %#v, want %#v", c.name, got, c.want)
			}
		}
	})
}

// gen builds a settings tree whose shape the fuzzer controls, one byte per
// decision, from the fuzzed scalars.
type gen struct {
	shape []byte
	s     string
	n     int64
	x     float64
}

func (g *gen) next() byte {
	if len(g.shape) == 0 {
		return 0
	}
	b := g.shape[0]
	g.shape = g.shape[1:]
	return b
}

func (g *gen) value(depth int) any {
	switch k := g.next() % 9; {
	case k == 0 || depth > 8:
		return g.s
	case k == 1:
		return nil
	case k == 2:
		return g.next()%2 == 0
	case k == 3:
		return g.n ^ int64(g.next())
	case k == 4:
		if f := g.x * float64(int8(g.next())); !math.IsInf(f, 0) {
			return f
		}
		return g.x
	case k == 5:
		return g.s + string(rune(g.next()))
	case k == 6:
		return string([]byte{g.next(), g.next()})
	case k == 7:
		l := []any{}
		for range int(g.next() % 4) {
			l = append(l, g.value(depth+1))
		}
		return l
	default:
		m := map[string]any{}
		for range int(g.next() % 4) {
			m[g.s+string([]byte{g.next()})] = g.value(depth + 1)
		}
		return m
	}
}
