package profile

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/entry"
	"github.com/plugctl/plugctl/internal/fail"
)

// User is the config's say, the first layer. A field at its zero value,
// or at the plain default (Main: the module path, Entry: Main), sets
// nothing.
type User struct {
	File string // the config, for messages
	Dir  string // its directory, where a profile file's path resolves
	// Profile is core.profile as written: "", None, a shipped profile's
	// name or the path of a profile file.
	Profile  string
	Main     string
	Entry    string
	Imports  []string
	Template *Template // core.template, read; nil when unset
	// Tags and Ldflags are build.tags and build.ldflags: nil when the
	// config leaves them out, empty when it sets none.
	Tags, Ldflags []string
	// Pos says where the config sets each key of its core section, and
	// the core key itself under "".
	Pos map[string]diag.Pos
}

// at returns where the config sets key, else where its core section is.
func (u *User) at(key string) diag.Pos {
	if p, ok := u.Pos[key]; ok {
		return p
	}
	return u.Pos[""]
}

// Input is everything a core's build is decided from: the config's layer,
// the core as resolved and fetched, and the enabled plugs.
type Input struct {
	User User
	// Manifest is the core: section of the core's plugin.yaml; nil when it
	// has none.
	Manifest *Spec
	// Module and Version are the core's; Root is where its files are (its
	// module directory), GoMod its go.mod.
	Module, Version, Root string
	// Display names the core's source in messages when it is a local
	// directory (as the config names it); "" for module@version.
	Display string
	GoMod   *modfile.File
	Plugs   []Plug
}

// Plug is an enabled plug as the wiring sees it.
type Plug struct {
	Name    string
	Module  string
	Version string
	Import  string
	Kind    string // as the config writes it; "" when it names none
	Before  string // position: {before: Before} or {after: After}
	After   string
	// Pos is where the plug is in the config; KindPos and PositionPos
	// where it sets kind and position.
	Pos, KindPos, PositionPos diag.Pos
}

// Build is how a core is built, every layer applied, with its plugs wired.
type Build struct {
	// Profile names the profile in use: a shipped profile's name or the
	// path of a profile file; "" for none.
	Profile string
	// Manifest reports that the core's plugin.yaml core: section is in use.
	Manifest bool
	Main     string      // package holding the entry
	Call     *entry.Call // the call the main template makes
	// CallsEntry reports that the templates call Call (codegen.CallsEntry):
	// the built-in main template does.
	CallsEntry bool
	Imports    []string   // packages to blank-import
	Templates  []Template // the main package's templates; nil for plugctl's built-in one
	// Embed are the templates rendered beside Templates when the config
	// sets build.embed (Spec.Embed).
	Embed   []Template
	Tags    []string
	Ldflags []string
	// LayerTags and LayerLdflags are what the layers below the config
	// give: a vendor tree records them, for a build from it whose config
	// sets none.
	LayerTags, LayerLdflags []string
	Kinds                   []Kind
	// Kind holds each plug's kind, by plug name, when the core wires kinds.
	Kind map[string]string
	// Defaults are the components the profile builds in, at their
	// versions: those of kinds no plug has.
	Defaults []Component
	// Order is the core's ordered list with every plug at its place; nil
	// when the core keeps no order.
	Order []string

	// from says which layer set each field, for messages.
	from     map[string]string
	defaults []Default // as the layer that set them says
	order    *Order    // where the core keeps its order
}

// Plain returns the plain build of the core module mod: no profile, no
// manifest, the config's values where it has any.
func Plain(mod string) *Build {
	b := &Build{Main: mod, CallsEntry: true, from: map[string]string{}}
	b.Call, _ = entry.Parse("Main")
	return b
}

// Component is a default component, resolved.
type Component struct {
	Kind, Module, Version, Import string
}

// From names the layer that set key (main, entry, imports, templates,
// tags, ldflags, kinds, defaults, order): "the config", "the core's
// plugin.yaml", "profile NAME", or "" for the plain default.
func (b *Build) From(key string) string { return b.from[key] }

// Decide decides how the core of in is built and wires its plugs,
// reporting every problem as a diag.List (fail.Config) at its place in the
// config: an unknown kind, a plug without the kind or position its core
// needs, an anchor the core's order does not hold, an entry the core's
// main package cannot be called with.
func Decide(in Input) (*Build, error) {
	u := &in.User
	var probs diag.List
	var prof, man *Spec
	switch {
	case u.Profile == None:
	case IsPath(u.Profile):
		s, err := LoadFile(u.Dir, u.Profile)
		if err != nil {
			return nil, err
		}
		prof = s
	case u.Profile != "":
		if prof = ByName(u.Profile); prof == nil {
			probs = append(probs, problem(u.File, u.at("profile"), "unknown profile %q (valid: %s, none, or the path of a profile file)", u.Profile, strings.Join(Names(), ", ")))
		}
	default:
		prof = ForModule(in.Module)
	}
	if u.Profile != None {
		man = in.Manifest
	}
	b := Plain(in.Module)
	if prof != nil {
		b.Profile = prof.Name
	}
	b.Manifest = man != nil
	// Lowest layer first: each sets what it has. A profile the config
	// names is the config's say, above the core's plugin.yaml; one chosen
	// by the module path is below it.
	layers := []struct {
		s    *Spec
		name string
	}{{prof, "profile " + b.Profile}, {man, "the core's plugin.yaml"}}
	if u.Profile != "" {
		layers[0], layers[1] = layers[1], layers[0]
	}
	for _, l := range layers {
		if l.s != nil {
			b.apply(l.s, l.name)
		}
	}
	b.LayerTags, b.LayerLdflags = b.Tags, b.Ldflags
	b.applyUser(u, in.Module)
	// Templates that make their own main (the collector's, a custom one
	// handing factories to the core) call no entry: nothing to check.
	b.CallsEntry = codegen.CallsEntry(b.Templates)
	probs = append(probs, b.checkEntry(in)...)
	probs = append(probs, b.wire(in)...)
	if len(probs) > 0 {
		return b, fail.Wrap(fail.Config, probs.Sort())
	}
	return b, nil
}

// apply sets the fields s sets; name is the layer, for messages.
func (b *Build) apply(s *Spec, name string) {
	set := func(key string) bool {
		if s.Has(key) {
			b.from[key] = name
			return true
		}
		return false
	}
	if set("main") {
		b.Main = s.Main
	}
	if set("entry") {
		b.Call = s.Call
	}
	if set("imports") {
		b.Imports = s.Imports
	}
	if set("templates") {
		b.Templates = s.Templates
	}
	if set("embed") {
		b.Embed = s.Embed
	}
	if set("tags") {
		b.Tags = s.Tags
	}
	if set("ldflags") {
		b.Ldflags = s.Ldflags
	}
	if set("kinds") {
		b.Kinds = s.Kinds
	}
	if set("defaults") {
		b.defaults = s.Defaults
	}
	if set("order") {
		b.order = s.Order
	}
}

// applyUser sets what the config sets.
func (b *Build) applyUser(u *User, mod string) {
	const name = "the config"
	if u.Main != "" && u.Main != mod {
		b.Main, b.from["main"] = u.Main, name
	}
	if u.Entry != "" && u.Entry != "Main" {
		if c, err := entry.Parse(u.Entry); err == nil {
			b.Call, b.from["entry"] = c, name
		}
	}
	if len(u.Imports) > 0 {
		b.Imports, b.from["imports"] = u.Imports, name
	}
	if u.Template != nil {
		b.Templates, b.from["templates"] = []Template{*u.Template}, name
	}
	if u.Tags != nil {
		b.Tags, b.from["tags"] = u.Tags, name
	}
	if u.Ldflags != nil {
		b.Ldflags, b.from["ldflags"] = u.Ldflags, name
	}
}

// checkEntry checks, in the core's own source, that the main package
// exists and declares a function the call can call.
func (b *Build) checkEntry(in Input) diag.List {
	u := &in.User
	if !b.CallsEntry || in.Root == "" {
		return nil
	}
	rel, ok := strings.CutPrefix(b.Main, in.Module)
	if !ok || rel != "" && rel[0] != '/' {
		return nil // outside the core module: the compile will say
	}
	display := in.Display
	if display == "" {
		display = in.Module
		if in.Version != "" {
			display += "@" + in.Version
		}
	}
	display += rel
	key := "entry"
	if b.from["entry"] != "the config" {
		key = "main"
	}
	at := u.at(key)
	if b.from["entry"] != "the config" && b.from["main"] != "the config" {
		at = u.at("")
	}
	label := fmt.Sprintf("entry %s", b.Call)
	if f := b.from["entry"]; f != "" && f != "the config" {
		label += " (from " + f + ")"
	}
	pkg, err := entry.Load(filepath.Join(in.Root, filepath.FromSlash(strings.TrimPrefix(rel, "/"))), b.Main, display)
	if err != nil {
		return diag.List{problem(u.File, at, "main: %v", err)}
	}
	var out diag.List
	for _, p := range pkg.Check(b.Call) {
		out = append(out, problem(u.File, at, "%s: %v", label, p))
	}
	return out
}

// wire gives each plug its kind, picks the default components and places
// the plugs in the core's order.
func (b *Build) wire(in Input) diag.List {
	var out diag.List
	u := &in.User
	plugProblem := func(p Plug, pos diag.Pos, format string, args ...any) {
		out = append(out, &diag.Problem{File: u.File, Pos: pos, Subject: p.Name, Msg: fmt.Sprintf(format, args...)})
	}
	who := "the core"
	if b.Profile != "" {
		who = "the core (profile " + b.Profile + ")"
	}
	// Kinds.
	if len(b.Kinds) > 0 {
		b.Kind = map[string]string{}
	}
	count := map[string]int{}
	for _, p := range in.Plugs {
		if len(b.Kinds) == 0 {
			if p.Kind != "" {
				plugProblem(p, p.KindPos, "kind %q: %s wires no kinds of plug: leave kind out", p.Kind, who)
			}
			continue
		}
		k := p.Kind
		if k == "" {
			k = InferKind(b.Kinds, p.Import)
			if k == "" {
				plugProblem(p, p.Pos, "%s wires each plug as one of %s; say which this one is with kind:", who, kindNames(b.Kinds))
				continue
			}
		} else if !slices.ContainsFunc(b.Kinds, func(x Kind) bool { return x.Name == k }) {
			plugProblem(p, p.KindPos, "unknown kind %q (valid for %s: %s)", k, who, kindNames(b.Kinds))
			continue
		}
		b.Kind[p.Name] = k
		count[k]++
	}
	for _, k := range b.Kinds {
		if k.Max > 0 && count[k.Name] > k.Max {
			var names []string
			for _, p := range in.Plugs {
				if b.Kind[p.Name] == k.Name {
					names = append(names, p.Name)
				}
			}
			out = append(out, problem(u.File, u.at(""), "%s takes at most %d plug of kind %s, the config has %d (%s)", who, k.Max, k.Name, count[k.Name], strings.Join(names, ", ")))
		}
	}
	// Defaults: those of kinds no plug has, at the version the core
	// requires of their companion module.
	for _, d := range b.defaults {
		if count[d.Kind] > 0 {
			continue
		}
		v := ""
		switch {
		case d.VersionOf == in.Module:
			v = in.Version
		case in.GoMod != nil:
			for _, r := range in.GoMod.Require {
				if r.Mod.Path == d.VersionOf {
					v = r.Mod.Version
				}
			}
		}
		if v == "" {
			out = append(out, problem(u.File, u.at(""), "%s builds in %s as its default %s at the version it requires of %s, and its go.mod requires none: list the %s plugs in the config", who, d.Module, d.Kind, d.VersionOf, d.Kind))
			continue
		}
		b.Defaults = append(b.Defaults, Component{Kind: d.Kind, Module: d.Module, Version: v, Import: d.Import})
	}
	// Order.
	out = append(out, b.place(in, who)...)
	return out
}

// InferKind returns the kind whose suffix ends the last element of imp,
// the longest one when several do; "" for none.
func InferKind(kinds []Kind, imp string) string {
	last := imp[strings.LastIndex(imp, "/")+1:]
	best := ""
	n := 0
	for _, k := range kinds {
		if k.Suffix != "" && strings.HasSuffix(last, k.Suffix) && len(k.Suffix) > n {
			best, n = k.Name, len(k.Suffix)
		}
	}
	return best
}
