package entry

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	vars := map[string]string{"name": "acme", "version": "1.0.0", "description": "Acme \"server\""}
	for _, tt := range []struct {
		name, text string
		want       string // Go with qualifier core, or the error
		ctx        bool
	}{
		{name: "bare name", text: "Main", want: "core.Main()"},
		{name: "empty call", text: "Main()", want: "core.Main()"},
		{name: "context", text: "RunCLI(context.Background())", want: "core.RunCLI(context.Background())", ctx: true},
		{name: "todo", text: "Run(context.TODO())", want: "core.Run(context.TODO())", ctx: true},
		{name: "nested with vars", text: "RunCLI(context.Background(), SetName(name), SetVersion(version, description))",
			want: `core.RunCLI(context.Background(), core.SetName("acme"), core.SetVersion("1.0.0", "Acme \"server\""))`, ctx: true},
		{name: "literals", text: "F(\"a\\nb\", `raw`, 0x10, -3, true, false, (1))", want: "core.F(\"a\\nb\", \"raw\", 16, -3, true, false, 1)"},
		{name: "context only nested", text: "F(G(context.Background()))", want: "core.F(core.G(context.Background()))", ctx: true},
		{name: "unexported", text: "main", want: `entry "main" is not exported`},
		{name: "empty", text: " ", want: "entry must not be empty"},
		{name: "not a call", text: "a + b", want: "is not a call"},
		{name: "syntax", text: "Run(", want: "is not a Go call"},
		{name: "selector function", text: "os.Exit(1)", want: `"os.Exit" is not an exported function of core.main`},
		{name: "unknown identifier", text: "Run(os)", want: `argument "os" is not allowed`},
		{name: "other package call", text: "Run(os.Getenv(\"X\"))", want: `argument "os.Getenv(…)" is not allowed`},
		{name: "float", text: "Run(1.5)", want: `argument "1.5" is not allowed`},
		{name: "func literal", text: "Run(func() {})", want: `argument "*ast.FuncLit" is not allowed`},
		{name: "ellipsis", text: "Run(x...)", want: "... is not allowed"},
		{name: "too big", text: "Run(99999999999999999999)", want: "does not fit in 64 bits"},
		{name: "unexported nested", text: "Run(opt())", want: `"opt" is not an exported function`},
		{name: "deep", text: strings.Repeat("F(", 9) + strings.Repeat(")", 9), want: "deeper than 8"},
		{name: "long", text: "F(\"" + strings.Repeat("x", MaxLen) + "\")", want: "longer than"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.text)
			if err != nil {
				if !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Parse(%q) = %v, want an error containing %q", tt.text, err, tt.want)
				}
				return
			}
			if got := c.Go("core", vars); got != tt.want {
				t.Errorf("Go = %s, want %s", got, tt.want)
			}
			if c.Context() != tt.ctx {
				t.Errorf("Context = %v, want %v", c.Context(), tt.ctx)
			}
			again, err := Parse(c.String())
			if err != nil || again.Go("core", vars) != c.Go("core", vars) {
				t.Errorf("String() = %q does not read back: %v", c.String(), err)
			}
		})
	}
}

func TestSyntaxErrorOffset(t *testing.T) {
	_, err := Parse("Run(context.Background(), os)")
	se, ok := err.(*SyntaxError)
	if !ok || se.Off != 26 {
		t.Fatalf("err = %#v, want a SyntaxError at offset 26", err)
	}
}

func TestCheck(t *testing.T) {
	p, err := Load("testdata/svc", "example.com/svc", "example.com/svc@v1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "svc" {
		t.Errorf("Name = %q", p.Name)
	}
	for _, tt := range []struct {
		text string
		want string // "" for no problem, else a part of the one problem
	}{
		{"Main", ""},
		{"Run(context.Background())", ""},
		{"Run(context.Background(), WithName(name), WithNamed(\"x\"), WithCount(3))", ""},
		{"Takes(\"s\", 1, true, context.Background(), context.TODO())", ""},
		{"Takes(Label(), 1, true, 2, context.TODO())", ""},
		{"Foreign(\"x\")", ""},
		{"OnlyWindows", ""},
		{"Mian", `declares no function Mian; did you mean "Main"?`},
		{"Run()", "Run(ctx ctxpkg.Context, opts ...Opt) takes at least 1 argument, the entry gives 0"},
		{"Main(1)", "Main() takes 0 arguments, the entry gives 1"},
		{"Run(\"ctx\")", "argument 1 of Run(ctx ctxpkg.Context, opts ...Opt) is a string; the parameter is ctxpkg.Context"},
		{"Run(context.Background(), 1)", "argument 2 of Run(ctx ctxpkg.Context, opts ...Opt) is an integer; the parameter is Opt"},
		{"WithCount(-1)", "is an integer; the parameter is uint"},
		{"Takes(1, 1, true, 1, context.TODO())", "argument 1 of Takes"},
		{"Takes(\"s\", 1, true, 1, \"r\")", "argument 5 of Takes(s string, i int, b bool, a any, r Runner) is a string; the parameter is Runner"},
		{"Run(context.Background(), Pair())", "Pair() (int, error) returns 2 values, not one value"},
		{"Run(context.Background(), Main())", "returns 0 values"},
		{"WithName(Pair2())", "declares no function Pair2"},
		{"Takes(Label(), Label(), true, 1, context.TODO())", "argument 2 of Takes(s string, i int, b bool, a any, r Runner) is the string Label returns; the parameter is int"},
		{"Generic(1)", "is generic"},
		{"Run(WithName(\"x\"))", "argument 1 of Run(ctx ctxpkg.Context, opts ...Opt) is the Opt WithName returns; the parameter is ctxpkg.Context"},
		{"Takes(\"s\", 1, true, 1, WithName(\"x\"))", "is the Opt WithName returns; the parameter is Runner"},
		{"Takes(\"s\", 1, true, 1, NewRunner())", ""},
		{"WithName(Any())", "is the any Any returns; the parameter is string"},
	} {
		t.Run(tt.text, func(t *testing.T) {
			c, err := Parse(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			probs := p.Check(c)
			if tt.want == "" {
				if len(probs) > 0 {
					t.Fatalf("Check = %v, want none", probs)
				}
				return
			}
			if len(probs) != 1 || !strings.Contains(probs[0].Error(), tt.want) {
				t.Fatalf("Check = %v, want one problem containing %q", probs, tt.want)
			}
			if probs[0].Where != "" && !strings.HasPrefix(probs[0].Where, "example.com/svc@v1.0.0/svc.go:") {
				t.Errorf("Where = %q, want a position in svc.go", probs[0].Where)
			}
		})
	}
}

func TestLoadProblems(t *testing.T) {
	if _, err := Load("testdata/none", "example.com/none", "example.com/none"); err == nil || !strings.Contains(err.Error(), "package example.com/none does not exist") {
		t.Errorf("missing directory: %v", err)
	}
	if _, err := Load("testdata", "example.com/empty", "example.com/empty"); err == nil || !strings.Contains(err.Error(), "has no Go files") {
		t.Errorf("no Go files: %v", err)
	}
	p, err := Load("testdata/mainpkg", "example.com/cmd", "example.com/cmd")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := Parse("Main")
	if probs := p.Check(c); len(probs) != 1 || !strings.Contains(probs[0].Msg, "is a main package") {
		t.Errorf("main package: %v", probs)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"Main", "Run(context.Background(), A(name), 1, \"x\", true)", "F(-0x1_0)", "F(`a`)", "F((G()))"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Parse(text)
		if err != nil {
			return
		}
		vars := map[string]string{"name": "n\x00\"", "version": "v", "description": "d"}
		again, err := Parse(c.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", text, c.String(), err)
		}
		if again.Go("q", vars) != c.Go("q", vars) {
			t.Fatalf("%q: round trip changed the call", text)
		}
		// The Go source is itself a call of the syntax, once qualified
		// names and quoted values are taken as written.
		if _, err := Parse(strings.ReplaceAll(c.Go("q", vars), "q.", "")); err != nil {
			t.Fatalf("%q: Go() = %q is not a call: %v", text, c.Go("q", vars), err)
		}
	})
}
