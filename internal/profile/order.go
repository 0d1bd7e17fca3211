package profile

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/suggest"
)

// maxOrderFile bounds the file ReadOrder reads.
const maxOrderFile = 4 << 20

// ReadOrder reads the core's own ordered list of plugins: the []string
// literal of the package-level var o.Var in the file o.File under root (the
// core module's directory), read with go/parser, as the core's own go
// generate writes it (CoreDNS: core/dnsserver/zdirectives.go, Directives).
func ReadOrder(root string, o *Order) ([]string, error) {
	name := filepath.Join(root, filepath.FromSlash(o.File))
	src, err := files.ReadFile(name, maxOrderFile)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", o.File, err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, o.File, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if n.Name != o.Var || i >= len(vs.Values) {
					continue
				}
				return stringList(fset, vs.Values[i], o)
			}
		}
	}
	return nil, fmt.Errorf("%s declares no var %s", o.File, o.Var)
}

// stringList returns the strings of the literal []string{"a", "b"}.
func stringList(fset *token.FileSet, e ast.Expr, o *Order) ([]string, error) {
	cl, ok := e.(*ast.CompositeLit)
	bad := fmt.Errorf("%s: var %s is not a []string of string literals", fset.Position(e.Pos()), o.Var)
	if !ok {
		return nil, bad
	}
	if at, ok := cl.Type.(*ast.ArrayType); !ok || at.Len != nil || !isIdentNamed(at.Elt, "string") {
		return nil, bad
	}
	var out []string
	for _, el := range cl.Elts {
		lit, ok := el.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return nil, bad
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return nil, bad
		}
		out = append(out, s)
	}
	return out, nil
}

func isIdentNamed(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// place puts every plug at its place in the core's order.
func (b *Build) place(in Input, who string) diag.List {
	var out diag.List
	u := &in.User
	add := func(p Plug, pos diag.Pos, format string, args ...any) {
		out = append(out, &diag.Problem{File: u.File, Pos: pos, Subject: p.Name, Msg: fmt.Sprintf(format, args...)})
	}
	if b.order == nil {
		for _, p := range in.Plugs {
			if p.Before != "" || p.After != "" {
				add(p, p.PositionPos, "position: %s keeps no order of its plugins: leave position out", who)
			}
		}
		return out
	}
	if in.Root == "" {
		return nil
	}
	core, err := ReadOrder(in.Root, b.order)
	if err != nil {
		return diag.List{problem(u.File, u.at(""), "%s keeps the order of its plugins in %s, var %s, and the core at hand does not: %v", who, b.order.File, b.order.Var, err)}
	}
	inCore := map[string]bool{}
	for _, n := range core {
		inCore[n] = true
	}
	plugs := map[string]bool{}
	for _, p := range in.Plugs {
		plugs[p.Name] = true
	}
	list := strings.Join(core, ", ")
	var names []string
	for _, p := range in.Plugs {
		names = append(names, p.Name)
	}
	for _, p := range in.Plugs {
		anchor := p.Before + p.After
		switch {
		case inCore[p.Name]:
			add(p, p.Pos, "%s already has a plugin named %q in its order; a plug is placed under its own name, so name it otherwise", who, p.Name)
		case anchor == "":
			add(p, p.Pos, "%s runs its plugins in order, and a plug out of order never runs: say where this one goes with position: {before: NAME} or {after: NAME}, NAME one of the core's (%s) or another plug", who, list)
		case anchor == p.Name:
			add(p, p.PositionPos, "position: a plug cannot be placed relative to itself")
		case !inCore[anchor] && !plugs[anchor]:
			hint := ""
			if h := suggest.Hint(anchor, append(slices.Clone(core), names...)); h != "" {
				hint = "; " + h
			}
			add(p, p.PositionPos, "position: %q is not one of the plugins in the order of %s at %s (%s), nor a plug%s", anchor, who, in.Version, list, hint)
		}
	}
	if len(out) > 0 {
		return out
	}
	before, after := map[string][]string{}, map[string][]string{}
	for _, p := range in.Plugs {
		if p.Before != "" {
			before[p.Before] = append(before[p.Before], p.Name)
		} else {
			after[p.After] = append(after[p.After], p.Name)
		}
	}
	placed := map[string]bool{}
	var order []string
	var emit func(n string)
	emit = func(n string) {
		if placed[n] {
			return
		}
		placed[n] = true
		for _, x := range before[n] {
			emit(x)
		}
		order = append(order, n)
		for _, x := range after[n] {
			emit(x)
		}
	}
	for _, n := range core {
		emit(n)
	}
	for _, p := range in.Plugs {
		if !placed[p.Name] {
			add(p, p.PositionPos, "position: %q is placed relative to %q, which is placed relative to it in turn: one of them must be placed relative to a plugin of the core", p.Name, p.Before+p.After)
		}
	}
	if len(out) > 0 {
		return out
	}
	b.Order = order
	return nil
}
