package config

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/policy"
	"github.com/plugctl/plugctl/internal/yamlsrc"
)

// The keys of the audit and policy sections, sorted for messages. A policy
// file holds the policy section's keys but file.
var (
	auditKeys      = []string{"db"}
	policyKeys     = []string{"audit", "file", "modules", "signatures", "sources", "vulnerabilities"}
	policyFileKeys = []string{"audit", "modules", "signatures", "sources", "vulnerabilities"}
)

// The values of policy.signatures and policy.audit.
var (
	signatureValues = []string{"optional", "required"}
	auditValues     = []string{"build", "on-demand"}
)

// decodeAudit reads the audit section.
func (c *checker) decodeAudit(e *yamlsrc.Entry) *Audit {
	if e == nil || e.Val.Kind == yamlsrc.Null {
		return nil
	}
	f := c.fields(e.Val, scopeNone, "audit", " in audit", auditKeys)
	a := &Audit{}
	if d := f["db"]; d != nil {
		a.DB, a.DBPos = c.str(d, scopeNone, "audit.db"), d.Val.Pos
		if d.Val.Kind == yamlsrc.String {
			if msg := CheckVulnDB(a.DB); msg != "" {
				c.add(d.Val.Pos, scopeNone, "audit.db %s", msg)
			}
		}
	}
	return a
}

// CheckVulnDB checks a vulnerability database as audit.db or --db gives
// it: an http, https or file URL, or a directory. It returns what is
// wrong, "" when nothing is.
func CheckVulnDB(db string) string {
	if msg := checkPath(db); msg != "" {
		return msg
	}
	if !strings.Contains(db, "://") {
		return ""
	}
	u, err := url.Parse(db)
	if err != nil {
		return fmt.Sprintf("%s is not a valid URL: %v", diag.Quote(db), err)
	}
	switch u.Scheme {
	case "http", "https", "file":
		return ""
	}
	return fmt.Sprintf("%s has scheme %q (valid: an https, http or file URL, or a directory)", diag.Quote(db), u.Scheme)
}

// decodePolicy reads the policy section, or the policy file it names
// (relative to dir, the config's directory), whose problems are at their
// positions in that file.
func (c *checker) decodePolicy(e *yamlsrc.Entry, dir string) *policy.Policy {
	if e == nil || e.Val.Kind == yamlsrc.Null {
		return nil
	}
	f := c.fields(e.Val, scopeNone, "policy", " in policy", policyKeys)
	if f == nil {
		return nil
	}
	fe := f["file"]
	if fe == nil {
		return c.policyFields(f, c.file)
	}
	for _, k := range policyFileKeys {
		if f[k] != nil {
			c.add(f[k].KeyPos, scopeNone, "policy.%s cannot be set beside policy.file (valid: the policy's keys in the file, or here without file)", k)
		}
	}
	name := c.str(fe, scopeNone, "policy.file")
	if name == "" {
		if fe.Val.Kind == yamlsrc.String || fe.Val.Kind == yamlsrc.Null {
			c.add(fe.Val.Pos, scopeNone, "policy.file must not be empty (valid: the path of a policy file)")
		}
		return nil
	}
	if msg := checkPath(name); msg != "" {
		c.add(fe.Val.Pos, scopeNone, "policy.file %s", msg)
		return nil
	}
	// The file as messages name it: beside the config as the user named
	// it, unless absolute.
	shown, full := name, name
	if !filepath.IsAbs(name) {
		shown = filepath.Join(filepath.Dir(c.file), name)
		full = filepath.Join(dir, name)
	}
	data, err := files.ReadFile(full, MaxFileSize)
	if err != nil {
		c.add(fe.Val.Pos, scopeNone, "policy.file: reading the policy: %v", err)
		return nil
	}
	pc := &checker{file: shown}
	p := pc.policyFile(data, false)
	c.others = append(c.others, pc.errors()...)
	return p
}

// policyFile reads a policy file's keys (site: a site's policy).
func (c *checker) policyFile(data []byte, site bool) *policy.Policy {
	root, ok := yamlsrc.Parse(data, yamlsrc.Options{Noun: "policy", Report: c.yamlProblem})
	var p *policy.Policy
	switch {
	case ok && root == nil:
		p = &policy.Policy{File: c.file, Vulnerabilities: policy.DefaultThreshold}
	case ok:
		if pf := c.fields(root, scopeNone, "the policy", "", policyFileKeys); pf != nil {
			p = c.policyFields(pf, c.file)
		}
	}
	if p != nil {
		p.Site = site
	}
	return p
}

// LoadPolicy reads a site's policy file (plugctl --policy FILE,
// PLUGCTL_POLICY): the keys of a config's policy section but file, which
// hold every config the site builds beside the config's own policy. Its
// problems are at their positions in it, a diag.List wrapped as a
// fail.Config error.
func LoadPolicy(path string) (*policy.Policy, error) {
	if msg := checkPath(path); msg != "" {
		return nil, fail.New(fail.Config, "site policy %s", msg)
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fail.New(fail.Config, "reading the site policy: %s is %s, not a file", path, files.DescribeMode(fi.Mode()))
	}
	data, err := files.ReadFile(path, MaxFileSize)
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("reading the site policy: %w", err))
	}
	c := &checker{file: path}
	p := c.policyFile(data, true)
	if errs := c.errors(); len(errs) > 0 {
		return nil, fail.Wrap(fail.Config, errs)
	}
	return p, nil
}

// policyFields reads the keys of a policy, in the config or its own file.
func (c *checker) policyFields(f map[string]*yamlsrc.Entry, file string) *policy.Policy {
	p := &policy.Policy{File: file, Vulnerabilities: policy.DefaultThreshold}
	for _, it := range c.strList(f["modules"], scopeNone, "policy.modules") {
		if msg := checkPattern(it.s); msg != "" {
			c.add(it.pos, scopeNone, "policy.modules[%d]: %s", it.i, msg)
			continue
		}
		p.Modules = append(p.Modules, policy.Pattern{Value: it.s, Pos: it.pos})
	}
	for _, it := range c.strList(f["sources"], scopeNone, "policy.sources") {
		msg := checkPattern(it.s)
		if msg == "" && strings.ContainsAny(it.s, "/:@") {
			msg = fmt.Sprintf("%s is not a host name (valid: a host like git.example.com, or a pattern like *.example.com)", diag.Quote(it.s))
		}
		if msg != "" {
			c.add(it.pos, scopeNone, "policy.sources[%d]: %s", it.i, msg)
			continue
		}
		p.Sources = append(p.Sources, policy.Pattern{Value: it.s, Pos: it.pos})
	}
	if e := f["signatures"]; e != nil {
		p.SignaturesPos = e.Val.Pos
		p.Signatures = c.choice(e, "policy.signatures", signatureValues) == "required"
	}
	if e := f["audit"]; e != nil {
		p.AuditPos = e.Val.Pos
		p.AuditBuild = c.choice(e, "policy.audit", auditValues) == "build"
	}
	if e := f["vulnerabilities"]; e != nil {
		p.VulnPos = e.Val.Pos
		s := c.str(e, scopeNone, "policy.vulnerabilities")
		if l, err := policy.ParseLevel(s); err == nil {
			p.Vulnerabilities = l
		} else if e.Val.Kind == yamlsrc.String || e.Val.Kind == yamlsrc.Null {
			c.add(e.Val.Pos, scopeNone, "policy.vulnerabilities: unknown level %s (valid: %s)", diag.Quote(s), strings.Join(policy.Levels, ", "))
		}
	}
	return p
}

// choice reads a string that must be one of valid, reporting one that is
// not; "" then.
func (c *checker) choice(e *yamlsrc.Entry, key string, valid []string) string {
	s := c.str(e, scopeNone, key)
	if slices.Contains(valid, s) {
		return s
	}
	if e.Val.Kind == yamlsrc.String || e.Val.Kind == yamlsrc.Null {
		c.add(e.Val.Pos, scopeNone, "%s: unknown value %s (valid: %s)", key, diag.Quote(s), strings.Join(valid, ", "))
	}
	return ""
}

// checkPattern checks a pattern of policy.modules or policy.sources.
func checkPattern(s string) string {
	if s == "" {
		return "must not be empty"
	}
	if msg := checkPath(s); msg != "" {
		return msg
	}
	if _, err := path.Match(s, ""); err != nil {
		return fmt.Sprintf("%s is not a valid pattern: %v", diag.Quote(s), err)
	}
	return ""
}

// PolicySubjects returns the core and the enabled plugs as the policy sees
// them, where the config names their module and source.
func (c *Config) PolicySubjects() []policy.Subject {
	out := []policy.Subject{{Name: diag.Core, Module: c.Core.Module, Source: c.Core.Source, File: c.File,
		ModulePos: keyPos(c.Core.KeyPos, "module", c.Core.Pos), SourcePos: keyPos(c.Core.KeyPos, "source", c.Core.Pos)}}
	for _, p := range c.Enabled() {
		out = append(out, policy.Subject{Name: p.Name, Module: p.Module, Source: p.Source, File: c.File,
			ModulePos: keyPos(p.KeyPos, "module", p.Pos), SourcePos: keyPos(p.KeyPos, "source", p.Pos)})
	}
	return out
}

// keyPos is where key is in a section, or def when the section does not
// set it.
func keyPos(m map[string]Pos, key string, def Pos) Pos {
	if p, ok := m[key]; ok {
		return p
	}
	return def
}
