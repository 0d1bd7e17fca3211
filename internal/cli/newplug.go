package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/scaffold"
)

// newCmdNew is the parent of the scaffolding commands: new plug.
func newCmdNew(plug *cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "new KIND",
		Short: "Scaffold new things: a plug module",
		Long: `new writes the start of something new from plugctl's templates. KIND is plug: a Go
module for a plug that uses the plugctl SDK (plugctl new plug --help).`,
		Example: `  plugctl new plug audit --module example.com/acme/audit`,
		Args:    cobra.ArbitraryArgs,
		RunE:    parentRun("unknown kind %q for new", "plug"),
	}
	cmd.AddCommand(plug)
	return withExits(cmd, fail.Config)
}

// newPlugOptions are the inputs of plugctl new plug.
type newPlugOptions struct {
	*globals
	// Name is the plug's name, as the plug config and the SDK know it.
	Name string
	// Module is the new module's path.
	Module string
	// Dir is where the module is written; default ./NAME.
	Dir string
	// SDKReplace is a local copy of the SDK module (plugctl's plug/
	// directory) to build against while the SDK is not published.
	SDKReplace string
	// SDKVersion is the SDK version required; v0.0.0 with SDKReplace.
	SDKVersion string
}

func newCmdNewPlug(g *globals, runF func(context.Context, *newPlugOptions) error) *cobra.Command {
	o := &newPlugOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "plug NAME --module PATH [--sdk-replace DIR]",
		Short: "Scaffold a plug module that uses the plugctl SDK",
		Long: `new plug writes a new Go module for a plug: go.mod, a package that registers the plug
with the SDK and reads its settings, a test that passes, a plugin.yaml manifest and a
README. The plugctl SDK module (github.com/plugctl/plugctl/plug) is not published
yet: pass --sdk-replace with the path of the plug/ directory of a plugctl clone, and
go.mod builds against it.`,
		Example: `  git clone https://github.com/plugctl/plugctl ~/src/plugctl
  plugctl new plug audit --module example.com/acme/audit --sdk-replace ~/src/plugctl/plug
  (cd audit && go test ./...)`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return newPlugRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Module, "module", "", "module path of the new plug, like example.com/acme/NAME (required)")
	f.StringVar(&o.Dir, "dir", "", "directory to create (default ./NAME)")
	f.StringVar(&o.SDKReplace, "sdk-replace", "", "local copy of the SDK module (the plug/ directory of a plugctl clone)")
	f.StringVar(&o.SDKVersion, "sdk-version", "", "SDK version to require (default v0.0.0, for --sdk-replace)")
	_ = cmd.MarkFlagDirname("sdk-replace")
	_ = cmd.MarkFlagDirname("dir")
	return withExits(cmd, fail.Config)
}

// newPlugResult is the --json document of new plug (docs/json.md).
type newPlugResult struct {
	envelope
	Name   string `json:"name"`
	Module string `json:"module,omitempty"`
	// Dir is the absolute path of the new module.
	Dir string `json:"dir,omitempty"`
	// Files are the files written, relative to Dir, sorted.
	Files []string `json:"files"`
}

// validate checks what the arguments and flags say on their own, before
// anything is written. newPlugRun calls it first.
func (o *newPlugOptions) validate() error {
	if err := config.CheckPlugName(o.Name); err != nil {
		return usage(err)
	}
	if o.Module == "" {
		return usage(fmt.Errorf("new plug needs --module, the new module's path (like example.com/acme/%s)", o.Name))
	}
	if err := module.CheckPath(o.Module); err != nil {
		return usage(fmt.Errorf("--module: %v", err))
	}
	if o.SDKVersion != "" {
		if err := module.Check(config.SDKModule, o.SDKVersion); err != nil {
			return usage(fmt.Errorf("--sdk-version: %v", err))
		}
	}
	return nil
}

func newPlugRun(ctx context.Context, o *newPlugOptions) error {
	res := &newPlugResult{Name: o.Name, Module: o.Module, Files: []string{}}
	o.result = res
	if err := o.validate(); err != nil {
		return err
	}
	dir := o.Dir
	if dir == "" {
		dir = o.Name
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if entries, err := os.ReadDir(abs); err == nil && len(entries) > 0 {
		return fail.New(fail.Config, "%s already exists and is not empty", dir)
	}
	sdkReplace := ""
	if o.SDKReplace != "" {
		if sdkReplace, err = sdkPath(o.SDKReplace, abs); err != nil {
			return err
		}
	}
	sdkVersion := o.SDKVersion
	if sdkVersion == "" {
		sdkVersion = "v0.0.0"
	}
	tc, err := gotool.Detect(ctx, o.reporter())
	if err != nil {
		return err
	}
	p := scaffold.Plug{
		Name: o.Name, Module: o.Module, Source: configPath(dir),
		GoVersion: tc.Lang(), SDKVersion: sdkVersion, SDKReplace: sdkReplace,
	}
	out, err := scaffold.PlugModule(p)
	if err != nil {
		return err
	}
	// Assemble the module beside its final place and move it there whole.
	tmp, err := files.TempDir(abs)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for name, b := range out {
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o644); err != nil {
			return err
		}
		res.Files = append(res.Files, name)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.Remove(abs); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err // only an empty directory is replaced
	}
	if err := files.ReplaceDir(tmp, abs); err != nil {
		return err
	}
	slices.Sort(res.Files)
	res.Dir = abs
	if !o.json {
		o.printNewPlug(p, dir)
	}
	return nil
}

// printNewPlug tells what was made and what to do next.
func (o *newPlugOptions) printNewPlug(p scaffold.Plug, dir string) {
	w := o.ios.Out
	fmt.Fprintf(w, "created %s/ (module %s, plug %q)\n\n", dir, p.Module, p.Name)
	fmt.Fprintf(w, "test it:\n  cd %s && go test ./...\n\n", dir)
	fmt.Fprintf(w, "build it into a core: add to the plug config\n")
	fmt.Fprintf(w, "  plugins:\n    - name: %s\n      source: %s\n", scaffold.YAML(p.Name), scaffold.YAML(p.Source))
	if p.SDKReplace != "" {
		fmt.Fprintf(w, "  replace:\n    %s: %s\n", config.SDKModule, scaffold.YAML(configPath(o.SDKReplace)))
	} else {
		fmt.Fprintf(w, "\nthe SDK module %s is not published yet: go.mod needs\n  replace %s => /path/to/plugctl/plug\n(or run new plug with --sdk-replace) before go test works\n", config.SDKModule, config.SDKModule)
	}
}

// sdkPath checks that dir holds the SDK module and returns it as go.mod's
// replace wants it: relative to the new module moduleDir when dir was
// relative, absolute otherwise.
func sdkPath(dir, moduleDir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(filepath.Join(abs, "go.mod"))
	if err != nil {
		return "", fail.New(fail.Config, "--sdk-replace %s: %v (want the plug/ directory of a plugctl clone)", dir, err)
	}
	if modfile.ModulePath(data) != config.SDKModule {
		return "", fail.New(fail.Config, "--sdk-replace %s: module is %q, want %s (the plug/ directory of a plugctl clone)", dir, modfile.ModulePath(data), config.SDKModule)
	}
	if filepath.IsAbs(dir) {
		return abs, nil
	}
	return relDir(moduleDir, abs)
}

// relDir returns target relative to dir in the form go.mod replace wants.
func relDir(dir, target string) (string, error) {
	rel, err := filepath.Rel(dir, target)
	if err != nil {
		return "", err
	}
	rel = filepath.ToSlash(rel)
	if !strings.HasPrefix(rel, "../") && rel != ".." {
		rel = "./" + rel
	}
	return rel, nil
}

// configPath writes a local path the way the plug config wants it: absolute,
// or relative starting with ./ or ../.
func configPath(p string) string {
	p = filepath.ToSlash(p)
	if filepath.IsAbs(p) || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") {
		return p
	}
	return "./" + p
}
