// Package entry reads and checks the call the generated main makes into the
// core: core.entry in the config, entry in a core profile.
//
// # Syntax
//
// An entry is the name of an exported function of the core's main package,
// called with no arguments (Main), or a call written as Go, restricted to
// what a config can safely say (RunCLI(context.Background(), Opt(name))):
//
//	call      = Name [ "(" [ arg { "," arg } ] ")" ]
//	arg       = string | int | "true" | "false" | "context.Background()" |
//	            "context.TODO()" | "name" | "version" | "description" |
//	            "embedded" | call
//
// Name is an exported identifier: a function of the core's main package,
// called through the package (core.Name). A string is a Go string literal,
// an int a Go integer literal, with an optional minus sign. The identifiers
// name, version and description stand for the config's values of the same
// keys (as strings); embedded stands for the files of build.embed, an
// io/fs.FS with the directory's files at its root (the generated main
// package's plugctlEmbedded), so that a core takes them with no SDK:
// Run(embedded) calls func Run(files fs.FS). Nothing else is accepted: no
// other identifiers, selectors, operators or function literals.
//
// The text is parsed with go/parser and the Go source the template writes is
// made again from the parsed call, never pasted: identifiers are checked,
// strings quoted by strconv.Quote (Call.Go).
//
// # Checks
//
// Check reads the core's main package with go/parser — no type checking, no
// compile — and reports what the generated call could not compile against:
// a missing package or function, a main package, a generic function, the
// wrong number of arguments, an argument whose kind the parameter cannot
// take. Where the parameter's type cannot be told from the package's own
// files (a type of another package, an interface), the argument is accepted:
// Check never refuses a call the compiler would take.
package entry

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strconv"
	"strings"
)

// MaxLen bounds an entry's text: a call is a line, not a program.
const MaxLen = 1000

// maxDepth bounds the nesting of calls in an entry.
const maxDepth = 8

// Kind is what an argument is.
type Kind uint8

// The kinds of argument.
const (
	String   Kind = iota + 1 // a string literal
	Int                      // an integer literal
	Bool                     // true or false
	Context                  // context.Background() or context.TODO()
	Var                      // name, version or description: a value of the config
	Nested                   // a call of another function of the package
	Embedded                 // embedded: the files of build.embed, an fs.FS
)

// EmbeddedVar is the variable of the generated main package that holds
// the files of build.embed (codegen.EmbedFile declares it), which the
// identifier embedded stands for.
const EmbeddedVar = "plugctlEmbedded"

// Vars are the identifiers an entry may use for values of the config.
var Vars = []string{"name", "version", "description"}

// Call is a call of a function of the core's main package.
type Call struct {
	Func string // exported identifier
	Args []Arg
	// Parens reports that the text wrote the parentheses: Main and Main()
	// are the same call, but the text is kept as written for messages.
	Parens bool
}

// Arg is one argument of a call.
type Arg struct {
	Kind Kind
	Str  string // String: the value; Var: the identifier; Context: Background or TODO
	Int  int64
	Bool bool
	Call *Call // Nested
	// Off is the byte offset of the argument in the entry's text, for
	// messages.
	Off int
}

// SyntaxError is an entry that is not a call of the restricted syntax.
type SyntaxError struct {
	Off int // byte offset in the text
	Msg string
}

func (e *SyntaxError) Error() string { return e.Msg }

// valid is what a message lists as valid arguments.
const valid = "valid arguments: a string or integer literal, true, false, context.Background(), name, version, description, embedded, or a call of an exported function of core.main"

// Parse reads an entry.
func Parse(text string) (*Call, error) {
	if len(text) > MaxLen {
		return nil, &SyntaxError{0, fmt.Sprintf("entry is longer than %d bytes", MaxLen)}
	}
	if strings.TrimSpace(text) == "" {
		return nil, &SyntaxError{0, "entry must not be empty (valid: the name of an exported function, like Main, or a call like Run(context.Background()))"}
	}
	if token.IsKeyword(text) {
		return nil, &SyntaxError{0, fmt.Sprintf("entry %s is a Go keyword, not a function name (valid: the name of an exported function of core.main, like Main)", strconv.Quote(text))}
	}
	if token.IsIdentifier(text) {
		if !token.IsExported(text) {
			return nil, &SyntaxError{0, fmt.Sprintf("entry %s is not exported (valid: the name of an exported function of core.main, like Main)", strconv.Quote(text))}
		}
		return &Call{Func: text}, nil
	}
	fset := token.NewFileSet()
	e, err := parser.ParseExprFrom(fset, "", text, parser.SkipObjectResolution)
	if err != nil {
		off, msg := 0, err.Error()
		var list scanner.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			off, msg = list[0].Pos.Offset, list[0].Msg
		}
		return nil, &SyntaxError{off, fmt.Sprintf("entry %s is not a Go call: %s", strconv.Quote(text), msg)}
	}
	p := &reader{fset: fset}
	ce, ok := e.(*ast.CallExpr)
	if !ok {
		return nil, &SyntaxError{0, fmt.Sprintf("entry %s is not a call (valid: Name or Name(arguments), with %s)", strconv.Quote(text), valid)}
	}
	return p.call(ce, 1)
}

// reader turns a parsed expression into a Call.
type reader struct{ fset *token.FileSet }

func (r *reader) off(n ast.Node) int { return r.fset.Position(n.Pos()).Offset }

func (r *reader) call(ce *ast.CallExpr, depth int) (*Call, error) {
	if depth > maxDepth {
		return nil, &SyntaxError{r.off(ce), fmt.Sprintf("entry nests calls deeper than %d", maxDepth)}
	}
	id, ok := ce.Fun.(*ast.Ident)
	if !ok || !token.IsExported(id.Name) {
		return nil, &SyntaxError{r.off(ce.Fun), fmt.Sprintf("%s is not an exported function of core.main (a call names one, like Run)", types(ce.Fun))}
	}
	if ce.Ellipsis.IsValid() {
		return nil, &SyntaxError{r.fset.Position(ce.Ellipsis).Offset, "entry: ... is not allowed in a call"}
	}
	c := &Call{Func: id.Name, Parens: true}
	for _, a := range ce.Args {
		arg, err := r.arg(a, depth)
		if err != nil {
			return nil, err
		}
		c.Args = append(c.Args, arg)
	}
	return c, nil
}

func (r *reader) arg(e ast.Expr, depth int) (Arg, error) {
	a := Arg{Off: r.off(e)}
	bad := func() (Arg, error) {
		return Arg{}, &SyntaxError{a.Off, fmt.Sprintf("argument %s is not allowed (%s)", types(e), valid)}
	}
	switch e := e.(type) {
	case *ast.ParenExpr:
		return r.arg(e.X, depth)
	case *ast.BasicLit:
		switch e.Kind {
		case token.STRING:
			s, err := strconv.Unquote(e.Value)
			if err != nil {
				return bad()
			}
			a.Kind, a.Str = String, s
			return a, nil
		case token.INT:
			n, err := strconv.ParseInt(strings.ReplaceAll(e.Value, "_", ""), 0, 64)
			if err != nil {
				return Arg{}, &SyntaxError{a.Off, fmt.Sprintf("integer %s does not fit in 64 bits", e.Value)}
			}
			a.Kind, a.Int = Int, n
			return a, nil
		}
	case *ast.UnaryExpr:
		if lit, ok := e.X.(*ast.BasicLit); ok && e.Op == token.SUB && lit.Kind == token.INT {
			n, err := strconv.ParseInt("-"+strings.ReplaceAll(lit.Value, "_", ""), 0, 64)
			if err != nil {
				return Arg{}, &SyntaxError{a.Off, fmt.Sprintf("integer -%s does not fit in 64 bits", lit.Value)}
			}
			a.Kind, a.Int = Int, n
			return a, nil
		}
	case *ast.Ident:
		switch e.Name {
		case "true", "false":
			a.Kind, a.Bool = Bool, e.Name == "true"
			return a, nil
		case "name", "version", "description":
			a.Kind, a.Str = Var, e.Name
			return a, nil
		case "embedded":
			a.Kind, a.Str = Embedded, e.Name
			return a, nil
		}
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "context" && (sel.Sel.Name == "Background" || sel.Sel.Name == "TODO") && len(e.Args) == 0 {
				a.Kind, a.Str = Context, sel.Sel.Name
				return a, nil
			}
			return bad()
		}
		c, err := r.call(e, depth+1)
		if err != nil {
			return Arg{}, err
		}
		a.Kind, a.Call = Nested, c
		return a, nil
	}
	return bad()
}

// types names an expression in a message by its text.
func types(e ast.Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return strconv.Quote(b.String())
}

func writeExpr(b *strings.Builder, e ast.Expr) {
	switch e := e.(type) {
	case *ast.Ident:
		b.WriteString(e.Name)
	case *ast.SelectorExpr:
		writeExpr(b, e.X)
		b.WriteString("." + e.Sel.Name)
	case *ast.BasicLit:
		b.WriteString(e.Value)
	case *ast.CallExpr:
		writeExpr(b, e.Fun)
		b.WriteString("(…)")
	default:
		fmt.Fprintf(b, "%T", e)
	}
}

// String returns the call as an entry writes it, canonically: what Parse
// reads back to the same call.
func (c *Call) String() string {
	var b strings.Builder
	c.write(&b, "", nil)
	return b.String()
}

// Go returns the call as Go source, its functions qualified by qual (the
// name the generated file imports the core's main package under) and the
// config's values bound from vars (name, version, description; a missing
// one is ""). Every identifier was checked by Parse and every string is
// quoted here.
func (c *Call) Go(qual string, vars map[string]string) string {
	var b strings.Builder
	c.write(&b, qual, vars)
	return b.String()
}

// Embeds reports whether the call passes the embedded files.
func (c *Call) Embeds() bool {
	for _, a := range c.Args {
		if a.Kind == Embedded || a.Kind == Nested && a.Call.Embeds() {
			return true
		}
	}
	return false
}

// Context reports whether the call uses the context package.
func (c *Call) Context() bool {
	for _, a := range c.Args {
		if a.Kind == Context || a.Kind == Nested && a.Call.Context() {
			return true
		}
	}
	return false
}

// write writes c; qual "" writes the entry's own text.
func (c *Call) write(b *strings.Builder, qual string, vars map[string]string) {
	if qual != "" {
		b.WriteString(qual + ".")
	}
	b.WriteString(c.Func)
	if qual == "" && !c.Parens && len(c.Args) == 0 {
		return
	}
	b.WriteString("(")
	for i, a := range c.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		switch a.Kind {
		case String:
			b.WriteString(strconv.Quote(a.Str))
		case Int:
			b.WriteString(strconv.FormatInt(a.Int, 10))
		case Bool:
			b.WriteString(strconv.FormatBool(a.Bool))
		case Context:
			b.WriteString("context." + a.Str + "()")
		case Var:
			if qual == "" {
				b.WriteString(a.Str)
			} else {
				b.WriteString(strconv.Quote(vars[a.Str]))
			}
		case Embedded:
			if qual == "" {
				b.WriteString(a.Str)
			} else {
				b.WriteString(EmbeddedVar)
			}
		case Nested:
			a.Call.write(b, qual, vars)
		}
	}
	b.WriteString(")")
}
