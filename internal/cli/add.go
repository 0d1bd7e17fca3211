package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/configedit"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/source"
)

// addOptions are the inputs of plugctl add.
type addOptions struct {
	*globals
	// Plug is what to add: MODULE[@VERSION], ./DIR, git::URL[@REF] or an
	// archive URL, as init's --with takes it (NAME= in front allowed).
	Plug string
	// Name names the plug; default: the last element of its module path
	// or directory.
	Name string
	// Checksum is an archive's sha256:…, which an archive source requires.
	Checksum string

	plug starterPlug // Plug parsed by validate
}

// validate checks what the argument and flags say on their own. addRun
// calls it first.
func (o *addOptions) validate() error {
	p, err := parseWith(o.Plug)
	if err != nil {
		return usage(fmt.Errorf("%s: %w", o.Plug, err))
	}
	if o.Name != "" {
		p.Name = o.Name
	}
	if err := config.CheckPlugName(p.Name); err != nil {
		return usage(fmt.Errorf("--name: %w", err))
	}
	archive := isKind(p.Source, source.Archive)
	switch {
	case o.Checksum != "" && !archive:
		return usage(errors.New("--checksum is only for an archive source (https://….tar.gz, .tgz or .zip)"))
	case o.Checksum == "" && archive:
		return usage(errors.New("an archive source needs --checksum sha256:<64 lowercase hex digits> (sha256sum prints them)"))
	}
	o.plug = p
	return nil
}

func newCmdAdd(g *globals, runF func(context.Context, *addOptions) error) *cobra.Command {
	o := &addOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "add MODULE[@VERSION] | ./DIR | git::URL[@REF] | URL --checksum SUM",
		Short: "Add a plug to the config, keeping its comments and layout",
		Long: `add appends a plug to the plugins list of the config and changes nothing else in the
file: comments, blank lines, quoting and the list's own style stay as they are. The
plug is named after the last element of its module path or directory (a /vN suffix
dropped) unless --name or NAME= in front says otherwise; a module without @VERSION
asks for the latest version.

A local directory is given relative to the working directory and written relative
to the config. The result is checked as validate checks a config before anything
resolves, and the file is replaced in one step: when the result would not be a
valid config, nothing is written. add resolves nothing; plugctl lock (or build)
pins the new plug.`,
		Example: `  plugctl add github.com/acme/metrics@^0.3
  plugctl add ./plugins/audit
  plugctl add git::https://git.example.com/geoip.git@v2.1.0 --name geo
  plugctl add https://example.com/dl/stamp.tar.gz --checksum sha256:…`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Plug = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return addRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.Name, "name", "", "the plug's name (default: from its module path or directory)")
	cmd.Flags().StringVar(&o.Checksum, "checksum", "", "sha256:… of an archive source")
	return withExits(cmd, fail.Config)
}

// editResult is the --json document of add and remove (docs/json.md).
type editResult struct {
	envelope
	// File is the config edited, as named.
	File string `json:"file"`
	// Plug is the plug added or removed, as the config writes it: not
	// resolved.
	Plug *jsonComponent `json:"plug,omitempty"`
}

func addRun(ctx context.Context, o *addOptions) error {
	res := &editResult{}
	o.result = res
	if err := o.validate(); err != nil {
		return err
	}
	if err := o.findConfig(); err != nil {
		return err
	}
	res.File = o.file
	p := o.plug
	ed, err := openEdit(ctx, o.globals)
	if err != nil {
		return err
	}
	defer ed.release()
	if prev, ok := ed.plug(p.Name); ok {
		pos := cmp.Or(prev.KeyPos["name"], prev.Pos)
		return fail.New(fail.Config, "%s:%d:%d: a plug is named %q already; pass --name to add this one under another name", o.file, pos.Line, pos.Col, p.Name)
	}
	if isKind(p.Source, source.Local) {
		m, err := readLocalModule(p.Source)
		if err != nil {
			return fail.Wrap(fail.Config, err)
		}
		if m.sdk != "" && !ed.replaces(config.SDKModule) {
			fmt.Fprintf(o.ios.ErrOut, "note: %s needs %s %s; while the module proxy does not serve it, the config needs a replace entry for it (the plug/ directory of a plugctl clone)\n", p.Source, config.SDKModule, m.sdk)
		}
		p.Source = localFor(p.Source, ed.cfg.Dir)
	}
	add := configedit.Plug{Name: p.Name, Module: p.Module, Source: p.Source, Version: p.Version, Checksum: o.Checksum}
	out, err := configedit.Add(ed.data, add)
	if err != nil {
		return fail.Wrap(fail.Config, fmt.Errorf("%s: %w", o.file, err))
	}
	cfg, err := ed.write(out, fmt.Sprintf("adding plug %q would make an invalid config, nothing written:", p.Name))
	if err != nil {
		return err
	}
	for _, pl := range cfg.Plugins {
		if pl.Name == p.Name {
			c := plugComponent(pl)
			res.Plug = &c
		}
	}
	if !o.json {
		fmt.Fprintf(o.ios.Out, "added plug %q to %s\n", p.Name, o.file)
	}
	if !o.json && !o.quiet {
		fmt.Fprintf(o.ios.ErrOut, "next: plugctl lock%s pins it\n", fileFlag(o.file))
	}
	return nil
}

// plugComponent is a plug of the config as --json shows it before anything
// resolves it.
func plugComponent(p config.Plugin) jsonComponent {
	return jsonComponent{Name: p.Name, Kind: kindOf(p.Source), Source: safeText(p.Source),
		Module: p.Module, Requested: p.Version, Enabled: p.Enabled}
}

// configEdit is a config being edited by add or remove: read and valid,
// with the project lock held, so that two edits never lose one another.
type configEdit struct {
	g       *globals
	path    string // the file written: the config, or what its link points to
	data    []byte
	cfg     *config.Config
	perm    os.FileMode
	release func()
}

// openEdit takes the project lock, and reads and parses the config: a
// config with problems is not edited, and its problems are the error.
func openEdit(ctx context.Context, g *globals) (*configEdit, error) {
	dir, err := filepath.Abs(filepath.Dir(g.file))
	if err != nil {
		return nil, err
	}
	release, err := pipeline.LockProject(ctx, g.reporter(), dir)
	if err != nil {
		return nil, err
	}
	ed := &configEdit{g: g, release: release}
	// A link is followed: the file it points to is the one edited.
	if ed.path, err = filepath.EvalSymlinks(g.file); err == nil {
		var fi os.FileInfo
		if fi, err = os.Stat(ed.path); err == nil {
			ed.perm = fi.Mode().Perm()
			ed.data, err = files.ReadFile(ed.path, config.MaxFileSize)
		}
	}
	if err != nil {
		ed.release()
		return nil, fail.Wrap(fail.Config, fmt.Errorf("reading config: %w", err))
	}
	if ed.cfg, err = config.Parse(g.file, ed.data, dir); err != nil {
		ed.release()
		return nil, err
	}
	return ed, nil
}

// plug returns the plug of the config named name, enabled or not.
func (ed *configEdit) plug(name string) (config.Plugin, bool) {
	for _, p := range ed.cfg.Plugins {
		if p.Name == name {
			return p, true
		}
	}
	return config.Plugin{}, false
}

// replaces reports whether the config replaces module path.
func (ed *configEdit) replaces(path string) bool {
	for _, r := range ed.cfg.Replace {
		if r.Path == path {
			return true
		}
	}
	return false
}

// write checks the edited text as a config and replaces the file with it in
// one step; when it is not a valid config, it writes nothing and returns
// the problems, introduced by lead, without positions (they would point
// into a file that was not written) but with the plug each concerns.
func (ed *configEdit) write(out []byte, lead string) (*config.Config, error) {
	cfg, err := config.Parse(ed.g.file, out, ed.cfg.Dir)
	if err != nil {
		return nil, invalidConfig(err, lead)
	}
	if err := files.WriteFile(ed.path, out, ed.perm); err != nil {
		return nil, fmt.Errorf("writing %s: %w", ed.g.file, err)
	}
	return cfg, nil
}
