// Package kinds is the registration table of source kinds: the one list of
// them, lookup by kind and by a config source's form, and the config rules
// every kind shares (which origin keys an entry of a kind may set, which
// sources are no kind's). The config asks it for per-kind rules; the
// pipeline for the Source of each component.
//
// Adding a kind is a new package under internal/source implementing
// source.Source, a Kind constant in internal/source, and a row in table;
// TestSwitchesExhaustive fails while a switch over kinds misses it.
package kinds

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/archive"
	"github.com/plugctl/plugctl/internal/source/git"
	"github.com/plugctl/plugctl/internal/source/local"
	"github.com/plugctl/plugctl/internal/source/module"
)

// table lists every kind, in the order their forms are described.
var table = []source.Source{
	module.Source{},
	git.Source{},
	archive.Source{},
	local.Source{},
}

// All returns every kind.
func All() []source.Source { return slices.Clone(table) }

// Lookup returns the kind k; ok is false for a kind plugctl does not know.
func Lookup(k source.Kind) (s source.Source, ok bool) {
	for _, s := range table {
		if s.Kind() == k {
			return s, true
		}
	}
	return nil, false
}

// Classify returns the kind whose form a config source has ("" is the
// module proxy, git::… a git repository, …); ok is false when none claims
// it. It looks at the form only: CheckSource says whether it is valid.
func Classify(src string) (s source.Source, ok bool) {
	for _, s := range table {
		if s.Claims(src) {
			return s, true
		}
	}
	return nil, false
}

// For returns the kind of a request's source; ok is false when none
// claims it (the config refuses such a source).
func For(r *source.Request) (source.Source, bool) { return Classify(r.Source) }

// Verify holds what the lock records for r, locked, to r (docs/versions.md: the lock
// is checked, never trusted) through the kind of r's source, and returns
// the pin to fetch: an origin of another kind than r's source, with fields
// its kind never records, or that its kind finds breaks a rule, is a
// *source.Unsatisfied error. What only the fetched content can confirm is
// CheckFetched's.
func Verify(ctx context.Context, env *source.Env, r *source.Request, locked source.Pin) (source.Pin, error) {
	k, ok := For(r)
	if !ok {
		return source.Pin{}, fmt.Errorf("%s: source %s is no kind's", source.Label(r.Name), source.Quote(r.Source))
	}
	if locked.Origin.Kind != k.Kind() {
		return source.Pin{}, source.Unsatisfiedf(r, "the lock's origin is %s, the config's source %s", source.Quote(string(locked.Origin.Kind)), k.Kind())
	}
	if probs := k.CheckLocked(r.Module, locked.Version, locked.Origin); len(probs) > 0 {
		return source.Pin{}, source.Unsatisfiedf(r, "the lock's %s: %s", probs[0].Field, probs[0].Msg)
	}
	return k.Verify(ctx, env, r, locked)
}

// CheckFetched checks that c, fetched for the lock's pin locked (checked
// by Verify), is what the lock records: its version and its origin. A
// difference is a *source.Unsatisfied error: the lock says something of
// the content that is not so (a pseudo-version's time, a directory's
// version, where go fetched a module from).
func CheckFetched(r *source.Request, c *source.Component, locked source.Pin) error {
	switch {
	case c.Version != locked.Version:
		return source.Unsatisfiedf(r, "the lock's version %s is not %s, the version of what it pins", source.Quote(locked.Version), c.Version)
	case c.Origin != locked.Origin:
		return source.Unsatisfiedf(r, "the lock's origin %+v is not %+v, where what it pins comes from", locked.Origin, c.Origin)
	}
	return nil
}

// SourceOf returns the config source an origin stands for ("" for the
// module proxy, or for a kind plugctl does not know), for comparing a lock
// with its config.
func SourceOf(o source.Origin) string {
	if s, ok := Lookup(o.Kind); ok {
		return s.Source(o)
	}
	return ""
}

// Forms describes every valid source, for messages.
func Forms() string {
	var forms []string
	for _, s := range table {
		forms = append(forms, s.Rules().Forms)
	}
	return joinOr(forms, ", ")
}

// joinOr joins items with sep, the last one with "or".
func joinOr(items []string, sep string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	last := " or "
	if len(items) > 2 {
		last = sep + "or "
	}
	return strings.Join(items[:len(items)-1], sep) + last + items[len(items)-1]
}

// forcedRE matches go-getter's forced getter prefix, such as "s3::".
var forcedRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*::`)

// CheckSource returns what is wrong with a config source, or nil: what no
// source may be (beginning with '-', holding control characters, or spaces
// where its kind does not allow them), a form no kind claims, and the
// kind's own rules. Credentials in URLs never appear in its messages.
func CheckSource(src string) error {
	if strings.HasPrefix(src, "-") {
		return fmt.Errorf("source %s must not begin with '-' (valid: %s)", source.Quote(src), Forms())
	}
	k, ok := Classify(src)
	if !ok {
		if m := forcedRE.FindString(src); m != "" {
			return fmt.Errorf("unsupported forced getter %q in source (valid: git:: followed by an https://, ssh:// or file:// URL)", m)
		}
	}
	spaces := ok && k.Rules().Spaces
	for _, r := range src {
		if unicode.IsControl(r) || unicode.IsSpace(r) && !spaces {
			return fmt.Errorf("source %s must not contain spaces or control characters (valid: %s)", source.Quote(src), Forms())
		}
	}
	switch {
	case ok:
		return k.CheckSource(src)
	case strings.HasPrefix(src, "http://"):
		return fmt.Errorf("source %s uses plain http (valid: https:// or git::https://)", source.Quote(src))
	}
	return fmt.Errorf("invalid source %s (valid: %s)", source.Quote(src), Forms())
}

// CheckEntry returns the problems of the origin keys of a config entry (its
// source, and the keys its kind requires, allows or refuses), each at its
// position. Module paths are the config's to check.
func CheckEntry(e *source.Entry) []diag.Problem {
	src, _ := e.Str("source")
	if err := CheckSource(src); err != nil {
		return []diag.Problem{{Pos: e.At("source"), Msg: err.Error()}}
	}
	k, _ := Classify(src)
	rules := k.Rules()
	var out []diag.Problem
	for _, key := range source.OriginKeys {
		f, set := e.Fields[key]
		if !set || key == "source" || slices.Contains(rules.Keys, key) {
			continue
		}
		if why, ok := rules.Refused[key]; ok {
			out = append(out, diag.Problem{Pos: f.Pos, Msg: fmt.Sprintf("%s is not allowed with %s (%s)", key, rules.Noun, why)})
		} else if f.String {
			out = append(out, diag.Problem{Pos: f.Pos, Msg: fmt.Sprintf("%s is only allowed with %s (this source is %s)", key, allowing(key), rules.Name)})
		}
	}
	return append(out, k.CheckEntry(e)...)
}

// allowing names the kinds whose entries may set key.
func allowing(key string) string {
	var nouns []string
	for _, s := range table {
		if r := s.Rules(); slices.Contains(r.Keys, key) {
			nouns = append(nouns, r.Noun)
		}
	}
	return joinOr(nouns, ", ")
}
