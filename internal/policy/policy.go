// Package policy holds what a site allows into its builds (docs/policy.md):
// which module paths, which hosts git and archive sources come from,
// whether bundles must be signed, from how far a known vulnerability fails
// an audit, and whether every build is audited. The config's policy
// section, or the policy file it names, and a site's own policy file
// (--policy, PLUGCTL_POLICY) are decoded by package config into Policies;
// a build is held to each of them (Set). The checks here find what breaks
// one, each at the config's position of what breaks it, naming the policy,
// and a violation is a fail.Policy error (exit 6).
package policy

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
)

// EnvSite is the environment variable naming a site's policy file when
// --policy does not.
const EnvSite = "PLUGCTL_POLICY"

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
	// Vulnerabilities is the threshold of an audit.
	Vulnerabilities Level
	VulnPos         diag.Pos
	// AuditBuild makes every build audit each target's build module after
	// compiling it, before the artifact is written (policy.audit: build).
	AuditBuild bool
	AuditPos   diag.Pos
	// Site marks a site's policy (--policy, PLUGCTL_POLICY), which holds
	// whatever config it builds, beside the config's own.
	Site bool
}

// Name says which policy p is in messages: "the policy" (the config's,
// in the config or the file it names) or "the site policy".
func (p *Policy) Name() string {
	if p.Site {
		return "the site policy"
	}
	return "the policy"
}

// Key is how messages spell p's key k: "policy.k" in a config, "k" in a
// site's policy file.
func (p *Policy) Key(k string) string {
	if p.Site {
		return k
	}
	return "policy." + k
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
				Msg: fmt.Sprintf("module %s is not allowed by %s (%s at %s: %s)", s.Module, p.Name(), p.Key("modules"), p.at(p.Modules), p.list(p.Modules))})
		}
		if h := Host(s.Source); h != "" && !p.AllowsHost(h) {
			probs = append(probs, &diag.Problem{File: s.File, Pos: s.SourcePos, Subject: s.Name,
				Msg: fmt.Sprintf("source host %s is not allowed by %s (%s at %s: %s)", h, p.Name(), p.Key("sources"), p.at(p.Sources), p.list(p.Sources))})
		}
	}
	if len(probs) == 0 {
		return nil
	}
	return fail.Wrap(fail.Policy, probs.Sort())
}

// problems returns the diag.List inside a Check error.
func problems(err error) diag.List {
	var l diag.List
	if errors.As(err, &l) {
		return l
	}
	return nil
}

// CheckBundle refuses, when p requires signatures, a bundle build given no
// key to check one with (verified reports whether one was given: the
// verify step then refuses a bundle no key signed, exit 3).
func (p *Policy) CheckBundle(verified bool) error {
	if p == nil || !p.Signatures || verified {
		return nil
	}
	key := p.Key("signatures")
	if p.Site {
		key = "the site policy's " + key
	}
	return fail.Wrap(fail.Policy, diag.List{&diag.Problem{File: p.File, Pos: p.SignaturesPos,
		Msg: key + ": required: a bundle builds only with its signature checked (give --verify-key KEY.pub)"}})
}

// Set is the policies a build is held to: the config's and the site's
// (either may be nil). Each must pass: a module or host must be allowed by
// every one that lists some, and for what is a setting rather than a list
// the stricter wins — signatures required by either, the lower threshold,
// a build audited when either asks.
type Set []*Policy

// Check returns every way the subjects break any policy of the set (Check).
func (ps Set) Check(subjects []Subject) error {
	var probs diag.List
	for _, p := range ps {
		probs = append(probs, problems(p.Check(subjects))...)
	}
	if len(probs) == 0 {
		return nil
	}
	return fail.Wrap(fail.Policy, probs.Sort())
}

// CheckBundle refuses a bundle build given no key when a policy of the set
// requires signatures: the site's first, since it is the site that
// decides.
func (ps Set) CheckBundle(verified bool) error {
	for _, p := range slices.Backward(ps) {
		if err := p.CheckBundle(verified); err != nil {
			return err
		}
	}
	return nil
}

// Threshold returns the threshold an audit is held to — the stricter of
// those the set's policies set: the lowest level, off being the most
// lenient — and the policy that sets it (nil when none does:
// DefaultThreshold). A policy that does not say leaves it to the others.
func (ps Set) Threshold() (Level, *Policy) {
	l, by := DefaultThreshold, (*Policy)(nil)
	for _, p := range ps {
		if p == nil || p.VulnPos.Line == 0 {
			continue
		}
		if by == nil || stricter(p.Vulnerabilities, l) {
			l, by = p.Vulnerabilities, p
		}
	}
	return l, by
}

// stricter reports whether threshold a fails on more findings than b.
func stricter(a, b Level) bool {
	switch {
	case a == Off:
		return false
	case b == Off:
		return true
	}
	return a < b
}

// AuditBuild returns the policy of the set that has every build audited
// (the site's first), nil when none does.
func (ps Set) AuditBuild() *Policy {
	for _, p := range slices.Backward(ps) {
		if p != nil && p.AuditBuild {
			return p
		}
	}
	return nil
}

// at says where the first item of a list is.
func (p *Policy) at(ps []Pattern) string {
	if len(ps) == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, ps[0].Pos.Line, ps[0].Pos.Col)
}

func (p *Policy) list(ps []Pattern) string { return strings.Join(values(ps), ", ") }
