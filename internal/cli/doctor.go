package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/run"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/versions"
)

// doctorOptions are the inputs of plugctl doctor.
type doctorOptions struct {
	*globals
}

func newCmdDoctor(g *globals, runF func(context.Context, *doctorOptions) error) *cobra.Command {
	o := &doctorOptions{globals: g}
	return withExits(&cobra.Command{
		Use:   "doctor",
		Short: "Check that this machine and the config can build: go, git, the module proxy, the SDK",
		Long: `doctor checks what a build needs, one line per check, each ok, warn or fail with
what to do about it:

  go       the go command on PATH, which every build uses (GOTOOLCHAIN=local: plugctl
           never downloads another toolchain, whatever GOTOOLCHAIN says)
  git      the git command, needed for git:: sources
  config   the config (found as every command finds it) and its problems
  proxy    GOPROXY, GOPRIVATE and GONOSUMDB as the go command sees them
  module   each module the config fetches from the module proxy: found, not found
           (a typo, or a private module the proxy cannot see: GOPRIVATE), or not
           reachable (the network). With GOPROXY=off only the module cache answers,
           and doctor says so rather than guessing
  sdk      the plugctl SDK, when a local core or plug requires it: a replace entry,
           or a module proxy that serves it
  state    the state directory beside the config (.plugctl) is writable

Without a config, doctor checks the machine only. It changes nothing. It exits with
the code of the first check that failed: 1 for the machine (go, git, the state
directory), 2 for the config (its problems, a module that does not exist, the SDK
without a replace), 4 for a module proxy that cannot be reached.`,
		Example: `  plugctl doctor
  GOPROXY=off plugctl doctor -f site.yaml
  plugctl doctor --json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return doctorRun(cmd.Context(), o)
		},
	}, fail.Config, fail.Fetch)
}

// doctorCheck is one line of plugctl doctor.
type doctorCheck struct {
	// Check names what is checked: go, git, config, proxy, module, sdk,
	// state.
	Check string `json:"check"`
	// Status is ok, warn (builds may work; read Detail) or fail.
	Status string `json:"status"`
	// Subject is the module of a module check, else absent.
	Subject string `json:"subject,omitempty"`
	Detail  string `json:"detail"`
	// Fix says what to do when Status is not ok.
	Fix string `json:"fix,omitempty"`

	kind fail.Kind // the exit code of a failed check
}

// doctorResult is the --json document of doctor (docs/json.md).
type doctorResult struct {
	envelope
	// File is the config checked; absent when there is none.
	File   string        `json:"file,omitempty"`
	Checks []doctorCheck `json:"checks"`
}

// doctor collects the checks.
type doctor struct {
	o      *doctorOptions
	checks []doctorCheck
}

func (d *doctor) add(c doctorCheck) { d.checks = append(d.checks, c) }

func (d *doctor) ok(check, subject, detail string) {
	d.add(doctorCheck{Check: check, Status: "ok", Subject: subject, Detail: detail})
}

func (d *doctor) warn(check, subject, detail, fix string) {
	d.add(doctorCheck{Check: check, Status: "warn", Subject: subject, Detail: detail, Fix: fix})
}

func (d *doctor) fail(k fail.Kind, check, subject, detail, fix string) {
	d.add(doctorCheck{Check: check, Status: "fail", Subject: subject, Detail: detail, Fix: fix, kind: k})
}

// goEnv is what doctor reads of the go command's environment.
type goEnv struct {
	GOVERSION, GOHOSTOS, GOHOSTARCH        string
	GOPROXY, GOPRIVATE, GONOSUMDB, GOFLAGS string
}

func doctorRun(ctx context.Context, o *doctorOptions) error {
	res := &doctorResult{Checks: []doctorCheck{}}
	o.result = res
	d := &doctor{o: o}
	env, goOK := d.checkGo(ctx)
	cfg, cfgCheck := d.loadConfig()
	if cfg != nil {
		res.File = o.file
	}
	d.checkGit(ctx, cfg)
	d.add(cfgCheck)
	if goOK {
		d.checkProxy(env)
		if cfg != nil {
			d.checkModules(ctx, cfg, env)
			d.checkSDK(ctx, cfg)
		}
	}
	if cfg != nil {
		d.checkState(cfg)
	}
	res.Checks = d.checks
	if !o.json {
		d.print(o.ios.Out)
	}
	var failed []doctorCheck
	for _, c := range d.checks {
		if c.Status == "fail" {
			failed = append(failed, c)
		}
	}
	if len(failed) > 0 {
		them := "them"
		if len(failed) == 1 {
			them = "it"
		}
		return fail.New(failed[0].kind, "doctor: %s failed: fix %s and run plugctl doctor again", plural(len(failed), "check", "checks"), them)
	}
	return nil
}

// print writes the checks as aligned lines, each failure or warning
// followed by its fix.
func (d *doctor) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range d.checks {
		detail := c.Detail
		if c.Subject != "" {
			detail = c.Subject + ": " + detail
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Status, c.Check, safeText(detail))
		if c.Fix != "" {
			fmt.Fprintf(tw, "\t\t  fix: %s\n", safeText(c.Fix))
		}
	}
	tw.Flush()
}

// checkGo checks the go command and reads its environment.
func (d *doctor) checkGo(ctx context.Context) (goEnv, bool) {
	var env goEnv
	// The user's environment but GOTOOLCHAIN, which could make go env
	// download a toolchain; builds run go with GOTOOLCHAIN=local.
	out, err := run.Output(ctx, d.o.reporter(), run.Cmd{Env: run.Environ(map[string]string{"GOTOOLCHAIN": "local"}), Args: []string{"go", "env", "-json",
		"GOVERSION", "GOHOSTOS", "GOHOSTARCH", "GOPROXY", "GOPRIVATE", "GONOSUMDB", "GOFLAGS"}})
	if err == nil {
		err = json.Unmarshal(out, &env)
	}
	if err != nil {
		d.fail(fail.Unexpected, "go", "", fmt.Sprintf("the go command does not run: %v", firstLine(err.Error())),
			"install Go (https://go.dev/dl) and put go on PATH")
		return env, false
	}
	detail := fmt.Sprintf("%s %s/%s", env.GOVERSION, env.GOHOSTOS, env.GOHOSTARCH)
	if tc := os.Getenv("GOTOOLCHAIN"); tc != "" && tc != "local" {
		detail += fmt.Sprintf("; builds use it as is (GOTOOLCHAIN=local), whatever GOTOOLCHAIN=%s says", tc)
	}
	d.ok("go", "", detail)
	return env, true
}

// checkGit checks the git command: a failure when the config has a git
// source, a warning otherwise.
func (d *doctor) checkGit(ctx context.Context, cfg *config.Config) {
	out, err := run.Output(ctx, d.o.reporter(), run.Cmd{Args: []string{"git", "--version"}})
	if err == nil {
		d.ok("git", "", strings.TrimSpace(string(out)))
		return
	}
	needed := false
	if cfg != nil {
		needed = isKind(cfg.Core.Source, source.Git)
		for _, p := range cfg.Enabled() {
			needed = needed || isKind(p.Source, source.Git)
		}
	}
	msg := "the git command does not run: " + firstLine(err.Error())
	if needed {
		d.fail(fail.Unexpected, "git", "", msg+"; the config has git:: sources", "install git and put it on PATH")
		return
	}
	d.warn("git", "", msg, "install git before using git:: sources")
}

// loadConfig finds and loads the config and returns it with its check;
// the config is nil when there is none or it is invalid.
func (d *doctor) loadConfig() (*config.Config, doctorCheck) {
	if err := d.o.findConfig(); err != nil {
		if d.o.fileSet {
			return nil, doctorCheck{Check: "config", Status: "fail", Detail: err.Error(), kind: fail.Config}
		}
		return nil, doctorCheck{Check: "config", Status: "warn", Detail: "none here: checking the machine only", Fix: "run plugctl init, or pass -f FILE"}
	}
	cfg, err := config.Load(d.o.file)
	if err != nil {
		msg := err.Error()
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = fmt.Sprintf("%s (and %d more; plugctl validate lists them)", msg[:i], strings.Count(msg, "\n"))
		}
		return nil, doctorCheck{Check: "config", Status: "fail", Detail: msg, Fix: "fix the config; plugctl validate lists every problem", kind: fail.Config}
	}
	return cfg, doctorCheck{Check: "config", Status: "ok", Detail: fmt.Sprintf("%s: core %s, %s enabled", d.o.file, cfg.Core.Module+cfg.Core.Source, plural(len(cfg.Enabled()), "plug", "plugs"))}
}

// checkProxy shows the go command's proxy settings.
func (d *doctor) checkProxy(env goEnv) {
	detail := "GOPROXY=" + env.GOPROXY
	for _, kv := range [][2]string{{"GOPRIVATE", env.GOPRIVATE}, {"GONOSUMDB", env.GONOSUMDB}} {
		if kv[1] != "" {
			detail += " " + kv[0] + "=" + kv[1]
		}
	}
	if env.GOPROXY == "off" {
		d.warn("proxy", "", detail+": nothing is downloaded", "builds need the modules in the module cache, or a vendor tree (plugctl vendor where there is a network; build --offline)")
		return
	}
	d.ok("proxy", "", detail)
}

// checkModules asks the module proxy for every module the config fetches
// from it, in one go list.
func (d *doctor) checkModules(ctx context.Context, cfg *config.Config, env goEnv) {
	type want struct{ path, query string }
	var wants []want
	add := func(mod, version, source string) {
		if source != "" || mod == "" {
			return
		}
		q := versions.Latest
		if versions.IsExact(version) {
			q = version
		}
		wants = append(wants, want{mod, q})
	}
	add(cfg.Core.Module, cfg.Core.Version, cfg.Core.Source)
	for _, p := range cfg.Enabled() {
		add(p.Module, p.Version, p.Source)
	}
	if len(wants) == 0 {
		return
	}
	args := []string{"list", "-m", "-e", "-json"}
	for _, w := range wants {
		args = append(args, w.path+"@"+w.query)
	}
	tmp, err := files.MkdirTemp("plugctl-doctor-")
	if err != nil {
		d.fail(fail.Unexpected, "module", "", err.Error(), "")
		return
	}
	defer os.RemoveAll(tmp)
	var out []byte
	// One step, run as the pipeline runs its own: announced, counted, timed.
	query := pipeline.Step{Name: modulesStep, Unit: report.Modules, Run: func(ctx context.Context, s *pipeline.State) error {
		s.Progress(0, len(wants))
		var err error
		if out, err = gotool.Query(ctx, d.o.reporter(), tmp, args...); err == nil {
			s.Progress(len(wants), len(wants))
		}
		return err
	}}
	err = pipeline.Run(ctx, pipeline.New(d.o.reporter(), pipeline.Options{}), []pipeline.Step{query})
	if err != nil {
		d.fail(fail.Fetch, "module", "", firstLine(err.Error()), "")
		return
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for _, w := range wants {
		var m struct {
			Path, Version string
			Error         *struct{ Err string }
		}
		if err := dec.Decode(&m); err != nil {
			d.fail(fail.Unexpected, "module", w.path, "reading go list: "+err.Error(), "")
			return
		}
		subject := w.path + "@" + w.query
		if m.Error == nil {
			detail := "found"
			if w.query == versions.Latest {
				detail = "found, latest " + m.Version
			}
			if env.GOPROXY == "off" {
				detail += " in the module cache"
			}
			d.ok("module", subject, detail)
			continue
		}
		msg := m.Error.Err
		switch gotool.ClassifyQuery(msg) {
		case gotool.QueryOff:
			d.warn("module", subject, "not in the module cache, and GOPROXY=off allows no download", "build from a vendor tree (plugctl build --offline), or set GOPROXY")
		case gotool.QueryNotFound:
			d.fail(fail.Config, "module", subject, "not found: "+gotool.QueryReason(msg),
				fmt.Sprintf("check the module path and version; for a private module set GOPRIVATE=%s (and credentials for its host)", gotool.PrivatePattern(w.path)))
		default:
			d.fail(fail.Fetch, "module", subject, "not reachable: "+gotool.QueryReason(msg), "check the network, GOPROXY and any proxy settings")
		}
	}
}

// modulesStep is doctor's step that asks the module proxy for the
// config's modules.
const modulesStep report.StepName = "modules"

// checkSDK checks that the SDK, where a local core or plug requires it, is
// replaced in the config or served by the module proxy.
func (d *doctor) checkSDK(ctx context.Context, cfg *config.Config) {
	var sources []string
	shown := map[string]string{}
	for _, s := range append([]string{cfg.Core.Source}, enabledSources(cfg)...) {
		if isKind(s, source.Local) {
			abs := s
			if !filepath.IsAbs(s) {
				abs = filepath.Join(cfg.Dir, filepath.FromSlash(s))
			}
			sources = append(sources, abs)
			shown[abs] = s
		}
	}
	need := sdkNeeds(sources)
	if len(need) == 0 {
		return
	}
	for _, r := range cfg.Replace {
		if r.Path == config.SDKModule {
			d.ok("sdk", config.SDKModule, "replaced by "+r.Dir+r.Version)
			return
		}
	}
	if sdkResolvable(ctx, need[0].version) {
		d.ok("sdk", config.SDKModule, need[0].version+" served by the module proxy")
		return
	}
	d.fail(fail.Config, "sdk", config.SDKModule, fmt.Sprintf("%s requires %s, which the module proxy does not serve", shown[need[0].dir], need[0].version),
		config.SDKReplaceHint)
}

// enabledSources are the sources of the enabled plugs.
func enabledSources(cfg *config.Config) []string {
	var out []string
	for _, p := range cfg.Enabled() {
		out = append(out, p.Source)
	}
	return out
}

// checkState checks that plugctl can write its state beside the config,
// without leaving anything behind.
func (d *doctor) checkState(cfg *config.Config) {
	dir := filepath.Join(cfg.Dir, pipeline.StateDir)
	shown := filepath.Join(filepath.Dir(d.o.file), pipeline.StateDir)
	probe := dir
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		probe = cfg.Dir // plugctl will make it there
	}
	f, err := os.CreateTemp(probe, ".plugctl-doctor-*")
	if err != nil {
		d.fail(fail.Unexpected, "state", "", fmt.Sprintf("%s is not writable: %v", shown, err), "make "+filepath.Dir(shown)+" writable, or move the project")
		return
	}
	f.Close()
	os.Remove(f.Name())
	d.ok("state", "", shown+" is writable")
}

// firstLine is the first line of s.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
