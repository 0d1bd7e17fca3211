package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/plugctl/plugctl/internal/audit"
	"github.com/plugctl/plugctl/internal/build"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/policy"
)

// AuditOptions are what plugctl audit asks.
type AuditOptions struct {
	// DB is the vulnerability database --db names: a URL, or a directory
	// relative to the working directory; "" for the config's audit.db,
	// else (offline) the vendor tree's copy, else govulncheck's default.
	DB string
	// Binary is the binary plugctl audit BINARY reads, instead of the
	// build module.
	Binary string
}

// AuditResult is what the audit step found, and what the policy makes of
// it.
type AuditResult struct {
	*audit.Report
	// Target is the platform the build module was loaded for ("" for a
	// binary, which says its own).
	Target string `json:"target,omitempty"`
	// Threshold is policy.vulnerabilities (default called), and Failing
	// how many findings reach it: each fails the audit (exit 6).
	Threshold policy.Level `json:"threshold"`
	Failing   int          `json:"failing"`
}

// audit (the audit step) runs govulncheck's analysis on the build module
// generate wrote (or the snapshot of the verified vendor tree, offline),
// or on Opts.Audit.Binary, and fails (exit 6) when a finding reaches the
// policy's threshold, each at the config's position of the core or plug
// whose code the call path goes through.
func (s *State) audit(ctx context.Context) error {
	db, err := s.vulnDB()
	if err != nil {
		return err
	}
	o := audit.Options{DB: db}
	res := &AuditResult{Threshold: policy.DefaultThreshold}
	if s.Config != nil && s.Config.Policy != nil {
		res.Threshold = s.Config.Policy.Vulnerabilities
	}
	if s.Opts.Audit.Binary != "" {
		o.Binary = s.Opts.Audit.Binary
		o.Env = gotool.Env(nil)
	} else {
		t := s.auditTarget()
		res.Target = t.String()
		o.Dir = s.GenDir
		if s.Offline {
			o.Dir = s.buildDir
		}
		env := build.Env(build.Options{Cgo: s.Config.Build.Cgo, Vendor: s.Offline}, t)
		o.Env = append(gotool.Env(env), "GOVERSION="+s.Toolchain.Version)
		o.Tags, _ = s.BuildFlags()
	}
	rep, err := audit.Run(ctx, o)
	if err != nil {
		return err
	}
	res.Report = rep
	s.Audit = res
	s.attribute()
	failing := rep.Failing(res.Threshold)
	res.Failing = len(failing)
	if len(failing) == 0 {
		return nil
	}
	return fail.Wrap(fail.Policy, s.auditProblems(failing, res.Threshold))
}

// auditTarget is the platform the build module is audited for: --target's
// first, else build.targets' first (the host by default).
func (s *State) auditTarget() platform.Target {
	if len(s.Opts.Targets) > 0 {
		return s.Opts.Targets[0]
	}
	return s.Config.Build.Targets[0]
}

// vulnDB decides the database (AuditOptions.DB). An offline audit reads
// only a local one: --db's, else the vendor tree's copy, else audit.db's.
func (s *State) vulnDB() (string, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	var db string
	switch {
	case s.Opts.Audit.DB != "":
		if msg := config.CheckVulnDB(s.Opts.Audit.DB); msg != "" {
			return "", fail.New(fail.Config, "--db %s", msg)
		}
		db = audit.DBURL(s.Opts.Audit.DB, cwd)
	case s.Offline && s.Tree != nil && s.Tree.Manifest.VulnDB != "":
		db = audit.DBURL(filepath.Join(s.buildDir, filepath.FromSlash(s.Tree.Manifest.VulnDB)), "")
	case s.Config != nil && s.Config.Audit != nil && s.Config.Audit.DB != "":
		db = audit.DBURL(s.Config.Audit.DB, s.Config.Dir)
	}
	if s.Offline && !strings.HasPrefix(db, "file:") {
		what := "the default database"
		if db != "" {
			what = db
		}
		return "", fail.New(fail.Config, "an offline audit reads a local vulnerability database, not %s: give --db DIR, or carry one in the vendor tree (plugctl vendor --vulndb DIR)", what)
	}
	return db, nil
}

// attribute names, for each called finding, the core or plug whose code
// its call path goes through first from the program's entry.
func (s *State) attribute() {
	if s.Set == nil {
		return
	}
	owners := map[string]string{}
	for _, c := range s.Set.All() {
		owners[c.Module] = c.Name
	}
	for i := range s.Audit.Findings {
		f := &s.Audit.Findings[i]
		for _, fr := range f.CallPath {
			if name, ok := owners[fr.Module]; ok {
				f.Component = name
				break
			}
		}
	}
}

// auditProblems are the failing findings as problems at the config's
// position of the component each goes through; at policy.vulnerabilities
// (or the file alone) when no component is known.
func (s *State) auditProblems(failing []audit.Finding, threshold policy.Level) diag.List {
	var probs diag.List
	for _, f := range failing {
		p := &diag.Problem{Subject: f.Component, Msg: describeFinding(f, threshold)}
		switch {
		case s.Config == nil:
			p.File = s.Opts.Audit.Binary
		case f.Component != "":
			p.File, p.Pos, _ = s.Config.Locate(f.Component, "")
		case s.Config.Policy != nil && s.Config.Policy.VulnPos.Line > 0:
			p.File, p.Pos = s.Config.Policy.File, s.Config.Policy.VulnPos
		default:
			p.File = s.Config.File
		}
		probs = append(probs, p)
	}
	return probs
}

// describeFinding says what a failing finding is, and what fixes it.
func describeFinding(f audit.Finding, threshold policy.Level) string {
	id := f.ID
	if len(f.Aliases) > 0 {
		id += " (" + strings.Join(f.Aliases, ", ") + ")"
	}
	var what string
	switch f.Level {
	case audit.Called:
		what = fmt.Sprintf("the build calls %s.%s", f.Package, f.Symbol)
	case audit.Imported:
		what = "the build imports " + f.Package
	default:
		what = "the build requires " + f.Module
	}
	fix := "no fixed version yet"
	if f.Fixed != "" {
		fix = "fixed in " + f.Fixed
	}
	sum := ""
	if f.Summary != "" {
		sum = " (" + f.Summary + ")"
	}
	return fmt.Sprintf("%s in %s %s, %s%s: %s (policy.vulnerabilities: %s)", id, f.Module, f.Version, fix, sum, what, threshold)
}

// auditDetail says what the audit step reads.
func (s *State) auditDetail() string {
	if s.Opts.Audit.Binary != "" {
		return s.Opts.Audit.Binary
	}
	return "the build module for " + s.auditTarget().String()
}
