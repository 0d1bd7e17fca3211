package cli

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/entry"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/yamlsrc"
)

// localModule is a Go module in a local directory that init or add was
// given as a source: what its go.mod says, for defaults and checks made
// when the answer is given.
type localModule struct {
	dir  string // as given
	path string // the module path
	// sdk is the version of the plugctl SDK its go.mod requires; "" when
	// it does not.
	sdk string
}

// maxGoMod bounds the go.mod read from a local source.
const maxGoMod = yamlsrc.MaxFileSize

// readLocalModule reads the go.mod of the local source dir.
func readLocalModule(dir string) (*localModule, error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s does not exist (valid: the directory of a Go module)", dir)
	case err != nil:
		return nil, err
	case !fi.IsDir():
		return nil, fmt.Errorf("%s is not a directory (valid: the directory of a Go module)", dir)
	}
	gomod := filepath.Join(dir, "go.mod")
	data, err := files.ReadFile(gomod, maxGoMod)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s has no go.mod (valid: the directory of a Go module; go mod init makes one)", dir)
	}
	if err != nil {
		return nil, err
	}
	f, err := modfile.ParseLax(gomod, data, nil)
	if err != nil {
		return nil, err
	}
	if f.Module == nil || f.Module.Mod.Path == "" {
		return nil, fmt.Errorf("%s names no module", gomod)
	}
	m := &localModule{dir: dir, path: f.Module.Mod.Path}
	for _, r := range f.Require {
		if r.Mod.Path == config.SDKModule {
			m.sdk = r.Mod.Version
		}
	}
	return m, nil
}

// maxScanFiles bounds the Go files entries parses: a default is not worth
// a long wait in a huge tree.
const maxScanFiles = 2000

// entries returns the import paths of the packages of m that declare
// func entry() (with no parameters and no results), sorted: the packages a
// generated main could call. Test files, main packages, testdata, vendor,
// hidden directories and nested modules are left out.
func (m *localModule) entries(entry string) []string {
	var out []string
	n := 0
	_ = filepath.WalkDir(m.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			name := d.Name()
			if p != m.dir && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || exists(filepath.Join(p, "go.mod"))) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		if n++; n > maxScanFiles {
			return filepath.SkipAll
		}
		if pkg, ok := declares(p, entry); ok && pkg != "main" {
			imp := m.importPath(filepath.Dir(p))
			if !slices.Contains(out, imp) {
				out = append(out, imp)
			}
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// importPath is the import path of the package in dir, a directory of m.
func (m *localModule) importPath(dir string) string {
	rel, err := filepath.Rel(m.dir, dir)
	if err != nil || rel == "." {
		return m.path
	}
	return path.Join(m.path, filepath.ToSlash(rel))
}

// pkgDir is the directory of package imp of m.
func (m *localModule) pkgDir(imp string) (string, bool) {
	if imp == m.path {
		return m.dir, true
	}
	rel, ok := strings.CutPrefix(imp, m.path+"/")
	if !ok {
		return "", false
	}
	return filepath.Join(m.dir, filepath.FromSlash(rel)), true
}

// checkPackage checks that package imp is in m's directory.
func (m *localModule) checkPackage(imp string) error {
	dir, ok := m.pkgDir(imp)
	if !ok {
		return fmt.Errorf("%s is not in module %s (valid: the module path or a package below it)", imp, m.path)
	}
	goFiles, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	if len(goFiles) == 0 {
		return fmt.Errorf("package %s: no Go files in %s", imp, dir)
	}
	return nil
}

// checkEntry checks that package imp of m can be called with the entry
// text, as validate checks it (internal/entry).
func (m *localModule) checkEntry(imp, text string) error {
	dir, ok := m.pkgDir(imp)
	if !ok {
		return nil // reported by checkPackage
	}
	call, err := entry.Parse(text)
	if err != nil {
		return err
	}
	pkg, err := entry.Load(dir, imp, imp)
	if err != nil {
		return err
	}
	if probs := pkg.Check(call); len(probs) > 0 {
		return probs[0]
	}
	return nil
}

// declares reports whether the Go file at p declares func name() with no
// parameters and no results, and returns its package name.
func declares(p, name string) (string, bool) {
	f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.SkipObjectResolution)
	if err != nil {
		return "", false
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if ok && fd.Recv == nil && fd.Name.Name == name && fd.Type.TypeParams == nil &&
			fd.Type.Params.NumFields() == 0 && fd.Type.Results.NumFields() == 0 {
			return f.Name.Name, true
		}
	}
	return "", false
}

// sdkNeed is a local source requiring the plugctl SDK.
type sdkNeed struct {
	dir, version string
}

// needsSDK returns the local sources of the answers (core and plugs) that
// require the plugctl SDK, unless a replace entry provides it.
func (o *initOptions) needsSDK() []sdkNeed {
	if _, ok := o.replace[config.SDKModule]; ok {
		return nil
	}
	dirs := []string{o.CoreSource}
	for _, p := range o.plugs {
		dirs = append(dirs, p.Source)
	}
	return sdkNeeds(dirs)
}

// sdkNeeds returns those of the sources that are local directories whose
// go.mod requires the plugctl SDK.
func sdkNeeds(sources []string) []sdkNeed {
	var out []sdkNeed
	for _, d := range sources {
		if !isKind(d, source.Local) {
			continue
		}
		if m, err := readLocalModule(d); err == nil && m.sdk != "" {
			out = append(out, sdkNeed{d, m.sdk})
		}
	}
	return out
}

// sdkResolvable reports whether the go command can download the SDK at
// version with the user's GOPROXY: the SDK is not published yet, and
// GOPROXY=off resolves nothing, so a build needs a replace entry then.
func sdkResolvable(ctx context.Context, version string) bool {
	tmp, err := files.MkdirTemp("plugctl-sdk-")
	if err != nil {
		return false
	}
	defer os.RemoveAll(tmp)
	_, err = gotool.Query(ctx, nil, tmp, "mod", "download", "-json", config.SDKModule+"@"+version)
	return err == nil
}

// askSDK asks, on a terminal, for a local copy of the SDK when a local
// source needs it and the module proxy cannot provide it, and adds the
// replace entry.
func (o *initOptions) askSDK(ctx context.Context) error {
	need := o.needsSDK()
	if len(need) == 0 || sdkResolvable(ctx, need[0].version) {
		return ctx.Err()
	}
	p := o.prompter()
	help := fmt.Sprintf("%s needs the plugctl SDK (%s %s), which the module proxy does not serve.\nThe plug/ directory of a plugctl clone provides it (a replace entry in the config).", need[0].dir, config.SDKModule, need[0].version)
	dir, err := p.askValid(ctx, "Local copy of the SDK", help, findSDK(need[0].dir), func(s string) (string, error) {
		if s == "" {
			return "", errors.New("the build needs the SDK: give the plug/ directory of a plugctl clone")
		}
		m, err := readLocalModule(s)
		if err != nil {
			return "", err
		}
		if m.path != config.SDKModule {
			return "", fmt.Errorf("%s is module %s, want %s (the plug/ directory of a plugctl clone)", s, m.path, config.SDKModule)
		}
		return configPath(s), nil
	})
	if err != nil {
		return err
	}
	o.replace[config.SDKModule] = dir
	return nil
}

// noteSDK says, off a terminal, which replace a build will need when a
// local source requires the SDK and the module proxy cannot provide it.
func (o *initOptions) noteSDK(ctx context.Context) {
	need := o.needsSDK()
	if len(need) == 0 || sdkResolvable(ctx, need[0].version) {
		return
	}
	fmt.Fprintf(o.ios.ErrOut, "note: %s needs %s %s, which the module proxy does not serve: build needs --replace %s=DIR (the plug/ directory of a plugctl clone)\n",
		need[0].dir, config.SDKModule, need[0].version, config.SDKModule)
}

// findSDK looks for the SDK's directory (a plug/ directory holding its
// module) beside dir and its parents, as a clone of plugctl has it, and
// returns it relative to the working directory; "" if there is none.
func findSDK(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		cand := filepath.Join(abs, "plug")
		if m, err := readLocalModule(cand); err == nil && m.path == config.SDKModule {
			if wd, err := os.Getwd(); err == nil {
				if rel, err := filepath.Rel(wd, cand); err == nil {
					return configPath(rel)
				}
			}
			return cand
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return ""
		}
		abs = parent
	}
}
