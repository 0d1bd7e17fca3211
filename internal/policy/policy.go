// Package policy holds what a site allows into its builds (README:
// Policy): which module paths, which hosts git and archive sources come
// from, whether bundles must be signed, and from how far a known
// vulnerability fails plugctl audit. The config's policy section, or the
// policy file it names, is decoded by package config into a Policy; the
// checks here find what breaks it, each at the config's position of what
// breaks it, and a violation is a fail.Policy error (exit 6).
package policy

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
)

// Level is how far a build reaches into a known vulnerability, and, as a
// threshold, from how far a finding fails the audit.
type Level int

// The levels, each reaching further than the one before it. Off, as a
// threshold, fails on nothing.
const (
	Off      Level = iota
	Required       // a module of the graph is at an affected version
	Imported       // an affected package is imported
	Called         // an affected function is reachable from the program
)

// Levels are the names of the levels, as the config and --json spell them.
var Levels = []string{"off", "required", "imported", "called"}

// DefaultThreshold fails an audit on what the program can call.
const DefaultThreshold = Called

// ParseLevel reads a level's name.
func ParseLevel(s string) (Level, error) {
	if i := slices.Index(Levels, s); i >= 0 {
		return Level(i), nil
	}
	return Off, fmt.Errorf("unknown level %q (valid: %s)", s, strings.Join(Levels, ", "))
}

func (l Level) String() string {
	if l < 0 || int(l) >= len(Levels) {
		return fmt.Sprintf("level(%d)", int(l))
	}
	return Levels[l]
}

// MarshalText spells l by its name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Pattern is one item of a policy list, where the policy says it.
type Pattern struct {
	Value string
	Pos   diag.Pos
}

// Policy is a decoded policy. The zero Policy allows everything and fails
// an audit at DefaultThreshold.
type Policy struct {
	// File is the file the policy is in: the config, or its policy file.
	File string
	// Modules, when set, are the module path patterns allowed in the
	// build, as GOPRIVATE spells them (module.MatchPrefixPatterns: a
	// path.Match glob matching a leading part of the path, element by
	// element): "example.com/acme" allows example.com/acme/x too.
	Modules []Pattern
	// Sources, when set, are the hosts git and archive sources may come
	// from: a host name, or a path.Match glob of one ("*.example.com").
	Sources []Pattern
	// Signatures requires a bundle to carry a signature that a
	// --verify-key checks.
	Signatures    bool
	SignaturesPos diag.Pos
	// Vulnerabilities is the threshold of plugctl audit.
	Vulnerabilities Level
	VulnPos         diag.Pos
}

// Subject is a component of a build the policy is checked against: the
// core or a plug, where the config names it.
type Subject struct {
	// Name is the plug's name, or diag.Core.
	Name string
	// Module is its module path; "" while unknown (a local or git source
	// not yet fetched).
	Module    string
	ModulePos diag.Pos
	// Source is its source as the config writes it ("" for the module
	// proxy, git::URL, an archive URL, a local path).
	Source    string
	SourcePos diag.Pos
	// File is the config.
	File string
}

// AllowsModule reports whether p allows the module path mod.
func (p *Policy) AllowsModule(mod string) bool {
	if p == nil || len(p.Modules) == 0 {
		return true
	}
	return module.MatchPrefixPatterns(strings.Join(values(p.Modules), ","), mod)
}

// AllowsHost reports whether p allows a source from host.
func (p *Policy) AllowsHost(host string) bool {
	if p == nil || len(p.Sources) == 0 {
		return true
	}
	host = strings.ToLower(host)
	for _, s := range p.Sources {
		if ok, _ := path.Match(strings.ToLower(s.Value), host); ok {
			return true
		}
	}
	return false
}

func values(ps []Pattern) []string {
	var out []string
	for _, x := range ps {
		out = append(out, x.Value)
	}
	return out
}

// Host returns the host a git or archive source comes from, "" for a
// source that has none (the module proxy, a local path, a file:// URL).
func Host(src string) string {
	s := src
	if i := strings.Index(s, "::"); i >= 0 {
		s = s[i+2:]
	}
	if !strings.Contains(s, "://") {
		// scp-like git: user@host:path
		if at := strings.Index(s, "@"); at >= 0 {
			if colon := strings.Index(s[at:], ":"); colon > 0 {
				return strings.ToLower(s[at+1 : at+colon])
			}
		}
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// Check returns every way the subjects break p, each at the subject's
// position in the config, naming it, as a fail.Policy error; nil when
// none does. Subjects whose module is not yet known are checked on their
// source alone.
func (p *Policy) Check(subjects []Subject) error {
	if p == nil {
		return nil
	}
	var probs diag.List
	for _, s := range subjects {
		if s.Module != "" && !p.AllowsModule(s.Module) {
			probs = append(probs, &diag.Problem{File: s.File, Pos: s.ModulePos, Subject: s.Name,
				Msg: fmt.Sprintf("module %s is not allowed by the policy (policy.modules at %s: %s)", s.Module, p.at(p.Modules), p.list(p.Modules))})
		}
		if h := Host(s.Source); h != "" && !p.AllowsHost(h) {
			probs = append(probs, &diag.Problem{File: s.File, Pos: s.SourcePos, Subject: s.Name,
				Msg: fmt.Sprintf("source host %s is not allowed by the policy (policy.sources at %s: %s)", h, p.at(p.Sources), p.list(p.Sources))})
		}
	}
	if len(probs) == 0 {
		return nil
	}
	return fail.Wrap(fail.Policy, probs.Sort())
}

// CheckBundle refuses, when p requires signatures, a bundle build given no
// key to check one with (verified reports whether one was given: the
// verify step then refuses a bundle no key signed, exit 3).
func (p *Policy) CheckBundle(verified bool) error {
	if p == nil || !p.Signatures || verified {
		return nil
	}
	return fail.Wrap(fail.Policy, diag.List{&diag.Problem{File: p.File, Pos: p.SignaturesPos,
		Msg: "policy.signatures: required: a bundle builds only with its signature checked (give --verify-key KEY.pub)"}})
}

// at says where the first item of a list is.
func (p *Policy) at(ps []Pattern) string {
	if len(ps) == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, ps[0].Pos.Line, ps[0].Pos.Col)
}

func (p *Policy) list(ps []Pattern) string { return strings.Join(values(ps), ", ") }
