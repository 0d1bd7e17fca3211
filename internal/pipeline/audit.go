package pipeline

import (
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/plugctl/plugctl/internal/adopt"
	"github.com/plugctl/plugctl/internal/audit"
	"github.com/plugctl/plugctl/internal/build"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/policy"
	"github.com/plugctl/plugctl/internal/vendortree"
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

// AuditResult is what the audit step found, target by target, and what
// the policy makes of it.
type AuditResult struct {
	// Mode is "source" or "binary"; DB the database read, Modified when
	// it last changed; GoVersion the Go version whose standard library
	// was checked (audit.Report).
	Mode      string `json:"mode"`
	DB        string `json:"db,omitempty"`
	Modified  string `json:"db_modified,omitempty"`
	GoVersion string `json:"go_version,omitempty"`
	// Targets are the audits of each target, in the order of --target
	// (else build.targets): the build module is loaded for each, so code
	// that only one platform compiles counts for that one. A binary is
	// one target, its own.
	Targets []TargetAudit `json:"targets"`
	// Threshold is policy.vulnerabilities (default called), and Failing
	// how many findings reach it, over every target: each fails the
	// audit (exit 6).
	Threshold policy.Level `json:"threshold"`
	Failing   int          `json:"failing"`
}

// TargetAudit is what the audit of one target found.
type TargetAudit struct {
	Target string `json:"target"`
	// Findings are sorted by module, then ID (audit.Report).
	Findings []audit.Finding `json:"findings"`
	// Failing is how many of them reach the threshold.
	Failing int `json:"failing"`
}

// audit (the audit step) runs govulncheck's analysis on the build module
// generate wrote (or the snapshot of the verified vendor tree, offline),
// once for each target, or on Opts.Audit.Binary, and fails (exit 6) when a
// finding reaches the policy's threshold, each at the config's position of
// the core or plug it comes through, naming the targets it was found for
// when there are several.
func (s *State) audit(ctx context.Context) error {
	if err := s.loadSite(); err != nil { // a binary's audit has no load step
		return err
	}
	db, err := s.vulnDB()
	if err != nil {
		return err
	}
	res := &AuditResult{Targets: []TargetAudit{}}
	res.Threshold, _ = s.policies().Threshold()
	s.Audit = res
	type run struct {
		target string
		o      audit.Options
	}
	var runs []run
	if s.Opts.Audit.Binary != "" {
		t, err := binaryTarget(s.Opts.Audit.Binary)
		if err != nil {
			return err
		}
		runs = append(runs, run{t, audit.Options{DB: db, Binary: s.Opts.Audit.Binary, Env: gotool.Env(nil)}})
	} else {
		for _, t := range s.auditTargets() {
			runs = append(runs, run{t.String(), s.moduleAudit(t, db)})
		}
	}
	var failing []targetFinding
	for _, r := range runs {
		rep, err := audit.Run(ctx, r.o)
		if err != nil {
			return err
		}
		res.Mode, res.DB, res.Modified, res.GoVersion = rep.Mode, rep.DB, rep.Modified, rep.GoVersion
		s.attribute(ctx, rep.Findings)
		ta := TargetAudit{Target: r.target, Findings: rep.Findings}
		for _, f := range rep.Failing(res.Threshold) {
			failing = append(failing, targetFinding{f, r.target})
		}
		ta.Failing = len(failing) - res.Failing
		res.Failing = len(failing)
		res.Targets = append(res.Targets, ta)
	}
	if len(failing) == 0 {
		return nil
	}
	return fail.Wrap(fail.Policy, s.auditProblems(failing, res.Threshold, len(runs) > 1, false))
}

// moduleAudit is the audit of the build module compile builds (moduleDir)
// for the target t against the database db.
func (s *State) moduleAudit(t platform.Target, db string) audit.Options {
	tags, _ := s.BuildFlags()
	env := build.Env(build.Options{Cgo: s.Config.Build.Cgo, Vendor: s.Offline}, t)
	return audit.Options{DB: db, Dir: s.moduleDir(), Tags: tags, Env: append(gotool.Env(env), "GOVERSION="+s.Toolchain.Version)}
}

// buildAudit returns, when a policy has every build audited (policy.audit:
// build), the check compile runs on each target it built before the
// artifact is written: the audit of the build module for that target,
// which fails it (exit 6) on findings at the threshold, with their call
// paths. The database is decided first, so that an offline build that has
// none to read fails before anything is compiled.
func (s *State) buildAudit() (func(context.Context, string, platform.Target) error, error) {
	by := s.policies().AuditBuild()
	if by == nil {
		return nil, nil
	}
	db, err := s.vulnDB()
	if err != nil {
		if !s.Offline || fail.KindOf(err) != fail.Config {
			return nil, err
		}
		// The policy asks for what this build cannot do: a policy failure,
		// as a bundle built without --verify-key under signatures:
		// required is, not a mistake in the config.
		return nil, fail.Wrap(fail.Policy, diag.List{&diag.Problem{File: by.File, Pos: by.AuditPos,
			Msg: fmt.Sprintf("%s: build: %s audits every build, and an offline build has no local vulnerability database to audit against: carry one in the vendor tree (plugctl vendor --vulndb DIR) or name a directory in audit.db", by.Key("audit"), by.Name())}})
	}
	threshold, _ := s.policies().Threshold()
	var mu sync.Mutex // one audit at a time: each loads the whole program
	return func(ctx context.Context, _ string, t platform.Target) error {
		mu.Lock()
		defer mu.Unlock()
		rep, err := audit.Run(ctx, s.moduleAudit(t, db))
		if err != nil {
			return err
		}
		s.attribute(ctx, rep.Findings)
		ta := &TargetAudit{Target: t.String(), Findings: rep.Findings}
		var failing []targetFinding
		for _, f := range rep.Failing(threshold) {
			failing = append(failing, targetFinding{f, ta.Target})
		}
		ta.Failing = len(failing)
		if s.audits == nil {
			s.audits = map[platform.Target]*TargetAudit{}
		}
		s.audits[t] = ta
		if len(failing) == 0 {
			return nil
		}
		return fail.Wrap(fail.Policy, s.auditProblems(failing, threshold, true, true))
	}, nil
}

// targetFinding is a finding of the audit of one target.
type targetFinding struct {
	audit.Finding
	target string
}

// binaryTarget is the os/arch a binary was built for, as its build
// information says.
func binaryTarget(path string) (string, error) {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return "", fail.New(fail.Config, "%s: not a Go binary with build information (%v)", path, err)
	}
	return adopt.Target(bi), nil
}

// auditTargets are the platforms the build module is audited for:
// --target's, else build.targets (the host by default).
func (s *State) auditTargets() []platform.Target {
	if len(s.Opts.Targets) > 0 {
		return s.Opts.Targets
	}
	return s.Config.Build.Targets
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
		db = audit.DBURL(filepath.Join(s.moduleDir(), filepath.FromSlash(s.Tree.Manifest.VulnDB)), "")
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

// attribute names, for each finding, the core or plug it comes through:
// for a called one, the component whose code its call path goes through
// first from the program's entry — the one whose module holds the frame's
// package, since govulncheck names a module replaced by a directory (a
// local plug, the vendor tree's copies) by the directory; for the others,
// and a call path through none, the component whose requirements bring
// the vulnerable module into the build, nearest it in the module graph,
// as plugctl why finds it (the core when the core's do). A finding in no
// component's reach (the standard library) is left to the policy.
func (s *State) attribute(ctx context.Context, findings []audit.Finding) {
	if s.Set == nil {
		return
	}
	owner := func(pkg string) string {
		best, name := "", ""
		for _, c := range s.Set.All() {
			if (pkg == c.Module || strings.HasPrefix(pkg, c.Module+"/")) && len(c.Module) > len(best) {
				best, name = c.Module, c.Name
			}
		}
		return name
	}
	var g *graph
	for i := range findings {
		f := &findings[i]
		for _, fr := range f.CallPath {
			if name := owner(fr.Package); name != "" {
				f.Component = name
				break
			}
		}
		if f.Component != "" || f.Version == "" {
			continue
		}
		if g == nil {
			gr, err := s.auditGraph(ctx)
			if err != nil {
				return // without the graph, the findings stay at the policy
			}
			g = &gr
		}
		f.Component, _ = g.owner(f.Module+"@"+f.Version, s.versionOwners())
	}
}

// auditGraph is the module graph of the build module audited: generate's
// (go mod graph), or offline the vendor tree's, read from its module
// mirror with the network off.
func (s *State) auditGraph(ctx context.Context) (graph, error) {
	if !s.Offline {
		return s.moduleGraph(ctx, s.moduleDir())
	}
	if g, ok := s.graphs[s.moduleDir()]; ok {
		return g, nil
	}
	if s.Tree == nil || !s.Tree.Manifest.HasMirror() {
		return graph{}, errors.New("the vendor tree has no module mirror")
	}
	modcache, err := files.TempDir(s.statePath("modcache"))
	if err != nil {
		return graph{}, err
	}
	defer os.RemoveAll(modcache)
	env := build.Env(build.Options{Mirror: filepath.Join(s.moduleDir(), vendortree.MirrorDir), ModCache: modcache}, s.auditTargets()[0])
	env["GOFLAGS"] = "-mod=mod -modcacherw"
	out, err := gotool.Go(ctx, s.R, s.moduleDir(), env, "mod", "graph")
	if err != nil {
		return graph{}, err
	}
	g := parseGraph(string(out))
	if s.graphs == nil {
		s.graphs = map[string]graph{}
	}
	s.graphs[s.moduleDir()] = g
	return g, nil
}

// auditProblems are the failing findings as problems at the config's
// position of the component each comes through; at the threshold's key of
// the policy that sets it (or the file alone) when no component is known.
// With several targets (or a build's) a finding is one problem naming the
// targets it was found for; a build's names its call path too, since a
// build prints no report.
func (s *State) auditProblems(failing []targetFinding, threshold policy.Level, several, build bool) diag.List {
	_, by := s.policies().Threshold()
	var probs diag.List
	type key struct{ id, module, version, component, pkg, symbol, level string }
	targets := map[key][]string{}
	for _, f := range failing {
		k := key{f.ID, f.Module, f.Version, f.Component, f.Package, f.Symbol, f.Level.String()}
		targets[k] = append(targets[k], f.target)
	}
	seen := map[key]bool{}
	for _, tf := range failing {
		f := tf.Finding
		k := key{f.ID, f.Module, f.Version, f.Component, f.Package, f.Symbol, f.Level.String()}
		if seen[k] {
			continue
		}
		seen[k] = true
		var on []string
		if several {
			on = targets[k]
		}
		p := &diag.Problem{Subject: f.Component, Msg: describeFinding(f, threshold, on, by)}
		if build && len(f.CallPath) > 0 {
			p.Msg += "; call path: " + callPath(f.CallPath)
		}
		switch {
		case s.Config == nil && by != nil:
			p.File, p.Pos = by.File, by.VulnPos
		case s.Config == nil:
			p.File = s.Opts.Audit.Binary
		case f.Component != "":
			p.File, p.Pos, _ = s.Config.Locate(f.Component, "")
		case by != nil:
			p.File, p.Pos = by.File, by.VulnPos
		default:
			p.File = s.Config.File
		}
		probs = append(probs, p)
	}
	return probs
}

// callPath spells a call path on one line, the entry first.
func callPath(frames []audit.Frame) string {
	var parts []string
	for _, fr := range frames {
		parts = append(parts, fr.Package+"."+fr.Function)
	}
	return strings.Join(parts, " -> ")
}

// describeFinding says what a failing finding is, and what fixes it; the
// targets it was found for when they are named (several were audited); the
// policy whose threshold it reaches (by; nil for the default).
func describeFinding(f audit.Finding, threshold policy.Level, targets []string, by *policy.Policy) string {
	id := f.ID
	if len(f.Aliases) > 0 {
		id += " (" + strings.Join(f.Aliases, ", ") + ")"
	}
	build := "the build"
	if len(targets) > 0 {
		build += " for " + strings.Join(targets, ", ")
	}
	var what string
	switch f.Level {
	case audit.Called:
		what = fmt.Sprintf("%s calls %s.%s", build, f.Package, f.Symbol)
	case audit.Imported:
		what = build + " imports " + f.Package
	default:
		what = build + " requires " + f.Module
	}
	fix := "no fixed version yet"
	if f.Fixed != "" {
		fix = "fixed in " + f.Fixed
	}
	sum := ""
	if f.Summary != "" {
		sum = " (" + f.Summary + ")"
	}
	key := "policy.vulnerabilities"
	if by != nil {
		key = by.Key("vulnerabilities")
		if by.Site {
			key = "the site policy's " + key
		}
	}
	return fmt.Sprintf("%s in %s %s, %s%s: %s (%s: %s)", id, f.Module, f.Version, fix, sum, what, key, threshold)
}

// auditDetail says what the audit step reads.
func (s *State) auditDetail() string {
	if s.Opts.Audit.Binary != "" {
		return s.Opts.Audit.Binary
	}
	var ts []string
	for _, t := range s.auditTargets() {
		ts = append(ts, t.String())
	}
	return "the build module for " + strings.Join(ts, ", ")
}
