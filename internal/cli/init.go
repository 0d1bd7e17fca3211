package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/profile"
	"github.com/plugctl/plugctl/internal/scaffold"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/kinds"
)

// initOptions are the inputs of plugctl init. Values left empty are asked
// for when stdin is a terminal.
type initOptions struct {
	*globals
	// Name is the config's name; default: the directory's name, made valid
	// (the profile's name with Core).
	Name string
	// Core names a core profile shipped with plugctl (caddy, otelcol,
	// coredns, benthos): the config names its module and version, and the
	// profile says the rest.
	Core string
	// CoreModule and CoreVersion name the core on the module proxy.
	CoreModule, CoreVersion string
	// CoreSource is a git::URL, an archive URL or a ./local directory.
	CoreSource string
	// CoreMain is the package holding CoreEntry; default: the module.
	CoreMain string
	// CoreEntry is the func() the generated main calls; default Main.
	CoreEntry string
	// CoreImports are extra packages to blank-import.
	CoreImports []string
	// With are plugs: MODULE[@VERSION], ./DIR or git::URL, each optionally
	// prefixed with NAME=.
	With []string
	// Replace are PATH=TARGET module replacements.
	Replace []string
	// Targets are os/arch pairs to build for.
	Targets []string
	// Force overwrites an existing file.
	Force bool

	// plugs, replace and targets are With, Replace and Targets parsed by
	// validate; ask adds the plugs it is given.
	plugs   []starterPlug
	replace map[string]string
	targets []platform.Target
	profile *profile.Spec // Core's
}

// validate checks and parses what the flags say, before any question is
// asked: a wrong flag is reported before the user answers anything. initRun
// calls it first.
func (o *initOptions) validate() error {
	o.plugs, o.profile = nil, nil
	if o.Core != "" {
		p := profile.ByName(o.Core)
		if p == nil {
			return usage(fmt.Errorf("--core %s: unknown core profile (valid: %s)", o.Core, strings.Join(profile.Names(), ", ")))
		}
		if o.CoreModule != "" && o.CoreModule != p.Modules[0] || o.CoreSource != "" || o.CoreMain != "" || o.CoreEntry != "" || len(o.CoreImports) > 0 {
			return usage(errors.New("--core names the core and how it is built: leave out --core-module, --core-source, --core-main, --core-entry and --core-import"))
		}
		o.profile = p
	}
	for _, w := range o.With {
		p, err := parseWith(w)
		if err != nil {
			return usage(fmt.Errorf("--with %s: %w", w, err))
		}
		o.plugs = append(o.plugs, p)
	}
	o.replace = map[string]string{}
	for _, r := range o.Replace {
		path, to, ok := strings.Cut(r, "=")
		if !ok || path == "" || to == "" {
			return usage(fmt.Errorf("--replace %s: want PATH=VERSION or PATH=./DIR", r))
		}
		o.replace[path] = to
	}
	targets, err := platform.ParseList(o.Targets)
	if err != nil {
		return usage(fmt.Errorf("--target: %w", err))
	}
	o.targets = targets
	if p := o.profile; p != nil {
		o.CoreModule = p.Modules[0]
		if o.CoreVersion == "" && p.Example != nil {
			o.CoreVersion = p.Example.Version
		}
		if o.Name == "" {
			o.Name = p.Name
		}
		if len(o.With) == 0 && p.Example != nil {
			for _, e := range p.Example.Plugins {
				o.plugs = append(o.plugs, starterPlug{Name: e.Name, Module: e.Module, Version: e.Version, Kind: e.Kind, Before: e.Before, After: e.After})
			}
		}
	}
	return nil
}

func newCmdInit(g *globals, runF func(context.Context, *initOptions) error) *cobra.Command {
	o := &initOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "init [flags]",
		Short: "Write a commented starter plugconfig.yaml",
		Long: `init writes a commented starter plug config (plugconfig.yaml, or the -f file) that
plugctl validate accepts. On a terminal it asks for what the flags leave out;
elsewhere the flags say everything and --core, --core-module or --core-source is
required. --core NAME writes a config for a core plugctl has a profile for, naming
its module and a version known to build, with example plugs unless --with is given.
It never overwrites an existing file unless --force is given.`,
		Example: `  # A core plugctl has a profile for: Caddy, the collector, CoreDNS, Benthos:
  plugctl init --core caddy --with github.com/caddy-dns/cloudflare@v0.2.1
  plugctl init --core otelcol --name otelcol-acme

  # The bundled example, from a clone of plugctl:
  plugctl init --name hello --core-source ./examples/core \
    --core-main github.com/plugctl/plugctl/examples/core/app \
    --with ./examples/plugins/greeter --replace github.com/plugctl/plugctl/plug=./plug

  # Caddy with a plugin, spelled out as its profile says it:
  plugctl init --name caddy --core-module github.com/caddyserver/caddy/v2 --core-version latest \
    --core-main github.com/caddyserver/caddy/v2/cmd \
    --core-import github.com/caddyserver/caddy/v2/modules/standard \
    --with github.com/caddy-dns/cloudflare@latest`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return initRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Name, "name", "", "artifact name (default: the directory's name)")
	f.StringVar(&o.Core, "core", "", "a core with a profile: "+strings.Join(profile.Names(), ", ")+" (its module, an example version and plugs)")
	f.StringVar(&o.CoreModule, "core-module", "", "Go module path of the core program")
	f.StringVar(&o.CoreVersion, "core-version", "", "core version: exact, constraint (^1.4) or latest (default latest)")
	f.StringVar(&o.CoreSource, "core-source", "", "core source instead of the module proxy: git::URL or ./dir")
	f.StringVar(&o.CoreMain, "core-main", "", "package holding the entry function (default: the core module)")
	f.StringVar(&o.CoreEntry, "core-entry", "", "function the generated main calls (default Main)")
	f.StringArrayVar(&o.CoreImports, "core-import", nil, "extra package to blank-import, repeatable")
	f.StringArrayVar(&o.With, "with", nil, "plug to add: [NAME=]MODULE[@VERSION], [NAME=]./DIR or [NAME=]git::URL; repeatable")
	f.StringArrayVar(&o.Replace, "replace", nil, "module replacement PATH=VERSION or PATH=./DIR, repeatable")
	f.StringArrayVar(&o.Targets, "target", nil, "os/arch to build for, repeatable (default: the host)")
	f.BoolVar(&o.Force, "force", false, "overwrite an existing file")
	_ = cmd.RegisterFlagCompletionFunc("target", completeTargets)
	return withExits(cmd, fail.Config)
}

// initResult is the --json document of init (docs/json.md).
type initResult struct {
	envelope
	// File is the config written, as named.
	File string `json:"file"`
	Name string `json:"name,omitempty"`
	// Core and Plugs are as written: not resolved, so without versions
	// beyond the requested ones.
	Core  *jsonComponent  `json:"core,omitempty"`
	Plugs []jsonComponent `json:"plugs"`
}

// starterPlug is one plug of the starter config.
type starterPlug struct {
	Name, Module, Version, Source string
	Kind, Before, After           string
}

func initRun(ctx context.Context, o *initOptions) error {
	res := &initResult{File: o.file, Plugs: []jsonComponent{}}
	o.result = res
	if err := o.validate(); err != nil {
		return err
	}
	if _, err := os.Lstat(o.file); err == nil && !o.Force {
		return fail.New(fail.Config, "%s already exists (use --force to overwrite it)", o.file)
	}
	if err := o.ask(ctx); err != nil {
		return err
	}
	if o.CoreModule == "" && o.CoreSource == "" {
		return usage(errors.New("init needs --core-module or --core-source when stdin is not a terminal"))
	}
	if o.CoreSource == "" && o.CoreVersion == "" {
		o.CoreVersion = "latest"
	}
	if !o.ios.InTTY {
		o.noteSDK(ctx)
	}
	dir, err := filepath.Abs(filepath.Dir(o.file))
	if err != nil {
		return err
	}
	o.relativize(dir)
	data, err := o.starter()
	if err != nil {
		return err
	}
	// The file must be one plugctl accepts: check it before it is written,
	// and report problems against the flags that caused them.
	cfg, err := config.Parse(o.file, data, dir)
	if err != nil {
		return invalidConfig(err, "the values given make an invalid config, nothing written:")
	}
	if err := files.WriteFile(o.file, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", o.file, err)
	}
	res.Name = cfg.Name
	res.Core = &jsonComponent{Name: "core", Kind: kindOf(cfg.Core.Source), Source: cfg.Core.Source,
		Module: cfg.Core.Module, Requested: cfg.Core.Version, Enabled: true}
	for _, p := range cfg.Plugins {
		res.Plugs = append(res.Plugs, jsonComponent{Name: p.Name, Kind: kindOf(p.Source), Source: p.Source,
			Module: p.Module, Requested: p.Version, Enabled: p.Enabled})
	}
	if !o.json {
		fmt.Fprintf(o.ios.Out, "wrote %s (%s)\n", o.file, plural(len(o.plugs), "plug", "plugs"))
	}
	if !o.json && !o.quiet {
		fmt.Fprintf(o.ios.ErrOut, "next: plugctl validate%s && plugctl build%s\n", fileFlag(o.file), fileFlag(o.file))
	}
	return nil
}

// fileFlag is " -f FILE" unless file is the default.
func fileFlag(file string) string {
	if file == config.DefaultFile {
		return ""
	}
	return " -f " + file
}

// relativize writes every local path of the config (the core's and plugs'
// sources, replace directories) relative to dir, the config's directory,
// where the config resolves them: they were given relative to the working
// directory, or absolute. A config that names its local sources relatively
// is one the project can commit and another machine can use.
func (o *initOptions) relativize(dir string) {
	o.CoreSource = localFor(o.CoreSource, dir)
	for i := range o.plugs {
		o.plugs[i].Source = localFor(o.plugs[i].Source, dir)
	}
	for k, v := range o.replace {
		o.replace[k] = localFor(v, dir)
	}
}

// localFor returns p, a local path given relative to the working directory
// or absolute, as the config in dir writes it: relative to dir (./x, ../x),
// absolute only on another volume. Anything but a local path is returned
// as it is.
func localFor(p, dir string) string {
	if !isKind(p, source.Local) {
		return p
	}
	abs, err := filepath.Abs(filepath.FromSlash(p))
	if err != nil {
		return p
	}
	r, err := relDir(dir, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return r
}

// ask fills in, on a terminal, what the flags left out. Each answer is
// checked as it is given, by the config's own rules and against the local
// directories it names, and asked again until it is right. Ctrl-C or
// Ctrl-D at any question ends init at once (exit 130), nothing written.
func (o *initOptions) ask(ctx context.Context) error {
	if !o.ios.InTTY {
		return nil
	}
	p := o.prompter()
	var err error
	answer := func(dst *string, question, help, def string, check func(string) (string, error)) {
		if err == nil && *dst == "" {
			*dst, err = p.askValid(ctx, question, help, def, check)
		}
	}
	answer(&o.Name, "Name of the binary", "", defaultName(), func(s string) (string, error) {
		return s, config.CheckName(s)
	})
	if o.CoreModule == "" && o.CoreSource == "" {
		var core string
		answer(&core, "Core program", "A Go module path (github.com/acme/server), a git::https://… URL or a ./local/dir.", "", checkCore)
		if err != nil {
			return err
		}
		if k := kindOf(core); k == string(source.Module) || k == "unknown" {
			o.CoreModule = core
		} else {
			o.CoreSource = core
		}
	}
	// A local core says what it is: its module path, where its entry
	// function is.
	var local *localModule
	if isKind(o.CoreSource, source.Local) {
		if local, err = readLocalModule(o.CoreSource); err != nil {
			return fail.Wrap(fail.Config, fmt.Errorf("--core-source: %w", err))
		}
		fmt.Fprintf(p.out, "%s\n", p.st.dim.Render(fmt.Sprintf("%s is module %s", o.CoreSource, local.path)))
	}
	if o.CoreSource == "" || isKind(o.CoreSource, source.Git) {
		def := "latest"
		if o.CoreSource != "" {
			def = ""
		}
		answer(&o.CoreVersion, "Core version", "Exact (v1.4.2), a constraint (^1.4) or latest; for git also a branch, tag or commit.", def, func(v string) (string, error) {
			if v == "" {
				return "", nil // git: the default branch
			}
			return v, config.CheckOrigin(o.CoreModule, v, o.CoreSource, "")
		})
	}
	if o.profile == nil {
		o.askEntry(local, answer)
	}
	if err != nil {
		return err
	}
	if len(o.With) == 0 {
		for {
			var w string
			answer(&w, "Add a plug", "MODULE[@VERSION], ./dir or git::URL, optionally NAME= in front; empty to finish.", "", func(s string) (string, error) {
				if s == "" {
					return "", nil
				}
				pl, err := o.checkPlug(s)
				if err != nil {
					return "", err
				}
				o.plugs = append(o.plugs, pl)
				return s, nil
			})
			if err != nil || w == "" {
				break
			}
			o.With = append(o.With, w)
		}
	}
	if err != nil {
		return err
	}
	return o.askSDK(ctx)
}

// checkCore checks the answer naming the core program.
func checkCore(s string) (string, error) {
	k, ok := kinds.Classify(s)
	if !ok {
		if err := config.CheckModulePath(s); err != nil {
			if fi, serr := os.Stat(s); serr == nil && fi.IsDir() {
				return "", fmt.Errorf("%s is read as a module path; for the directory write ./%s", diag.Quote(s), filepath.ToSlash(s))
			}
			return "", err
		}
		return s, nil
	}
	switch k.Kind() {
	case source.Module:
		return "", errors.New("init needs a core program")
	case source.Local:
		if _, err := readLocalModule(s); err != nil {
			return "", err
		}
	case source.Archive:
		return "", errArchiveInit
	case source.Git:
		if err := config.CheckOrigin("", "", s, ""); err != nil {
			return "", err
		}
	}
	return s, nil
}

// errArchiveInit refuses an archive at init's questions, which do not ask
// for its checksum.
var errArchiveInit = errors.New("an archive source needs a checksum, which init does not ask for: give a module, git::URL or ./dir here, and add the archive afterwards with plugctl add URL --checksum sha256:…")

// checkPlug checks an answer naming a plug, as --with takes it.
func (o *initOptions) checkPlug(s string) (starterPlug, error) {
	pl, err := parseWith(s)
	if err != nil {
		return pl, err
	}
	if err := config.CheckPlugName(pl.Name); err != nil {
		return pl, err
	}
	for _, other := range o.plugs {
		if other.Name == pl.Name {
			return pl, fmt.Errorf("a plug is named %q already; write NAME=%s to name this one", pl.Name, s)
		}
	}
	switch {
	case isKind(pl.Source, source.Local):
		if _, err := readLocalModule(pl.Source); err != nil {
			return pl, err
		}
	case isKind(pl.Source, source.Archive):
		return pl, errArchiveInit
	}
	return pl, config.CheckOrigin(pl.Module, pl.Version, pl.Source, "")
}

// defaultName is the working directory's name made into a valid config name.
func defaultName() string {
	wd, err := os.Getwd()
	if err != nil {
		return "app"
	}
	if n := sanitizeName(filepath.Base(wd)); n != "" {
		return n
	}
	return "app"
}

var notNameChar = regexp.MustCompile(`[^a-z0-9_-]+`)

// sanitizeName turns s into a name matching source.NamePattern, or "".
func sanitizeName(s string) string {
	s = notNameChar.ReplaceAllString(strings.ToLower(s), "-")
	s = strings.TrimLeft(s, "0123456789_-")
	s = strings.TrimRight(s, "-")
	if len(s) > 63 {
		s = s[:63]
	}
	return s
}

// parseWith parses a --with value: [NAME=]MODULE[@VERSION], [NAME=]./DIR or
// [NAME=]git::URL[@REF]. Without NAME, the name is the last element of the
// module path or directory (a /vN major suffix dropped).
func parseWith(s string) (starterPlug, error) {
	var p starterPlug
	name, rest, named := strings.Cut(s, "=")
	if !named || strings.Contains(name, "/") || strings.Contains(name, ":") {
		name, rest = "", s
	}
	switch k, ok := kinds.Classify(rest); {
	case !ok || k.Kind() == source.Module:
		p.Module, p.Version, _ = strings.Cut(rest, "@")
		if p.Version == "" {
			p.Version = "latest"
		}
		if err := module.CheckPath(p.Module); err != nil {
			return p, fmt.Errorf("want MODULE[@VERSION], ./DIR or git::URL: %v", err)
		}
	case k.Rules().Versioned:
		// A source with versions (git): a URL may hold an @ (ssh user);
		// only a trailing @ref after the repository path counts as a
		// version.
		p.Source = rest
		if i := strings.LastIndex(rest, "@"); i > strings.LastIndex(rest, "/") {
			p.Source, p.Version = rest[:i], rest[i+1:]
		}
	default:
		p.Source = rest
	}
	if name == "" {
		base := p.Module
		if base == "" {
			base = strings.TrimSuffix(strings.TrimRight(p.Source, "/"), ".git")
		}
		base = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(base, ".tar.gz"), ".tgz"), ".zip")
		if prefix, major, ok := module.SplitPathVersion(base); ok && major != "" {
			base = prefix
		}
		name = sanitizeName(base[strings.LastIndex(base, "/")+1:])
		if name == "" {
			return p, fmt.Errorf("cannot make a plug name from %q; write NAME=%s", s, s)
		}
	}
	p.Name = name
	return p, nil
}

// starter renders the commented starter config.
func (o *initOptions) starter() ([]byte, error) {
	s := scaffold.Starter{
		File: filepath.Base(o.file),
		Name: o.Name,
		Core: scaffold.StarterCore{
			Module: o.CoreModule, Source: o.CoreSource, Version: o.CoreVersion,
			Main: o.CoreMain, Entry: o.CoreEntry, Imports: o.CoreImports,
		},
		Replace: o.replace,
	}
	if s.Name == "" {
		s.Name = defaultName()
	}
	if s.Core.Entry == "" {
		s.Core.Entry = "Main"
	}
	if p := o.profile; p != nil {
		sp := &scaffold.StarterProfile{Name: p.Name, Description: p.Description, Main: p.Main, Imports: p.Imports,
			Tags: p.Tags, Ldflags: p.Ldflags, Order: p.Order != nil}
		if p.Call != nil {
			sp.Entry = p.Call.String()
		}
		s.Core.Profile = sp
	}
	for _, p := range o.plugs {
		s.Plugs = append(s.Plugs, scaffold.StarterPlug(p))
	}
	for _, t := range o.targets {
		s.Targets = append(s.Targets, t.String())
	}
	return scaffold.Config(s)
}

// invalidConfig reports the problems of a config that was not written,
// introduced by lead: without positions, which would point into a file that
// does not exist, but with the plug each concerns.
func invalidConfig(err error, lead string) error {
	var errs diag.List
	if !errors.As(err, &errs) {
		return err
	}
	var b strings.Builder
	b.WriteString(lead)
	for _, e := range errs {
		e := diag.Problem{Subject: e.Subject, Msg: e.Msg}
		b.WriteString("\n  " + e.Error())
	}
	return fail.New(fail.Config, "%s", b.String())
}

// askEntry asks, for a core without a profile, the package holding the
// entry and the call main makes; local is the core's directory, when it is
// one, whose sources check each answer.
func (o *initOptions) askEntry(local *localModule, answer func(dst *string, question, help, def string, check func(string) (string, error))) {
	mod, mainDef := o.CoreModule, o.CoreModule
	entry := cmp.Or(o.CoreEntry, "Main")
	if local != nil {
		mod, mainDef = local.path, local.path
		if pkgs := local.entries(entry); len(pkgs) == 1 {
			mainDef = pkgs[0]
		}
	}
	answer(&o.CoreMain, "Package with the entry function", "The import path of the package holding the function main calls.", mainDef, func(s string) (string, error) {
		if s == "" {
			return "", nil // the core module itself
		}
		if err := config.CheckImport("main", s, mod); err != nil {
			return "", err
		}
		if local != nil {
			return s, local.checkPackage(s)
		}
		return s, nil
	})
	answer(&o.CoreEntry, "Entry function", "", "Main", func(s string) (string, error) {
		if err := config.CheckEntry(s); err != nil {
			return "", err
		}
		if local != nil {
			return s, local.checkEntry(cmp.Or(o.CoreMain, local.path), s)
		}
		return s, nil
	})
}
