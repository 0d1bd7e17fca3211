package pipeline

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/source"
)

// inherited is a replace directive of a plug's go.mod that the build
// applies, the plug saying replaces: inherit. The go command ignores the
// replace directives of every module but the main one; a plug that needs a
// fork to build (and says so in its go.mod) gets it only so.
type inherited struct {
	plug     string
	old, new module.Version
	dir      string // the absolute directory of a directory replacement
	line     string // as the lock records it: "old[ v] => new[ v]"
}

// inheritReplaces returns the replace directives the build inherits from
// the plugs that ask for them, in config order. A directive is left to the
// config when its replace map names the same module, and refused when it
// replaces the core or a plug, when two plugs replace one module
// differently, or when it names a directory and the plug is not itself a
// local directory (a fetched plug's directory replacement points outside
// what was fetched).
func (s *State) inheritReplaces() ([]inherited, error) {
	asks := map[string]bool{}
	for _, p := range s.Config.Enabled() {
		if p.Replaces == config.ReplacesInherit {
			asks[p.Name] = true
		}
	}
	if len(asks) == 0 {
		return nil, nil
	}
	components := map[string]bool{}
	for _, c := range s.Set.All() {
		components[c.Module] = true
	}
	byConfig := map[string]bool{}
	for _, r := range s.Config.Replace {
		byConfig[r.Path] = true
	}
	var out []inherited
	var problems diag.List
	problem := func(name, format string, args ...any) {
		file, _, _ := s.Config.Locate(name, "")
		pos := s.Config.Plugins[slices.IndexFunc(s.Config.Plugins, func(p config.Plugin) bool { return p.Name == name })].KeyPos["replaces"]
		problems = append(problems, &diag.Problem{File: file, Pos: pos, Subject: name, Msg: fmt.Sprintf(format, args...)})
	}
	for _, c := range s.Set.Plugs {
		if !asks[c.Name] {
			continue
		}
		replaces, err := goModReplaces(c)
		if err != nil {
			problem(c.Name, "reading the replace directives of its go.mod: %v", err)
			continue
		}
		for _, r := range replaces {
			in := inherited{plug: c.Name, old: r.Old, new: r.New, line: replaceLine(r.Old, r.New)}
			switch {
			case byConfig[r.Old.Path]:
				s.R.Note(fmt.Sprintf("%s: replace %s of its go.mod left to the config's replace of %s", source.Label(c.Name), in.line, r.Old.Path))
				continue
			case components[r.Old.Path]:
				problem(c.Name, "its go.mod replaces %s, which the config builds as the core or a plug; it cannot be inherited", r.Old.Path)
				continue
			case r.New.Version == "":
				if c.Kind != source.Local {
					problem(c.Name, "its go.mod replaces %s by the directory %s, outside what was fetched of the plug; only a local plug's directory replacements can be inherited", r.Old.Path, r.New.Path)
					continue
				}
				in.dir = r.New.Path
				if !filepath.IsAbs(in.dir) {
					in.dir = filepath.Join(c.Dir, filepath.FromSlash(in.dir))
				}
			}
			if i := slices.IndexFunc(out, func(o inherited) bool { return o.old == r.Old }); i >= 0 {
				if o := out[i]; o.new != r.New || o.dir != in.dir {
					problem(c.Name, "its go.mod replaces %s by %s, plug %q's by %s; the build can apply one (set it in the config's replace)", r.Old.Path, r.New, o.plug, o.new)
				}
				continue
			}
			out = append(out, in)
		}
	}
	if len(problems) > 0 {
		return nil, fail.Wrap(fail.Config, problems.Sort())
	}
	for _, in := range out {
		s.R.Note(fmt.Sprintf("%s: inherited replace %s", source.Label(in.plug), in.line))
	}
	return out, nil
}

// replaceLine writes a replace directive as go.mod does, without the
// keyword.
func replaceLine(old, new module.Version) string {
	str := func(v module.Version) string { return strings.TrimSpace(v.Path + " " + v.Version) }
	return str(old) + " => " + str(new)
}

// inheritedLines returns the lines the lock records of the plug name's
// inherited replace directives.
func (s *State) inheritedLines(name string) []string {
	var out []string
	for _, in := range s.inherited {
		if in.plug == name {
			out = append(out, in.line)
		}
	}
	return out
}

// goModReplaces returns the replace directives of c's go.mod: c.GoMod was
// parsed laxly, as a dependency's go.mod is, which leaves them out.
func goModReplaces(c source.Component) ([]*modfile.Replace, error) {
	var data []byte
	if c.Sums != nil {
		data, _ = c.Sums.Kept("go.mod")
	}
	if data == nil {
		var err error
		if data, err = files.ReadFile(filepath.Join(c.Root, "go.mod"), maxGoMod); err != nil {
			return nil, err
		}
	}
	f, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return nil, err
	}
	return f.Replace, nil
}

// maxGoMod bounds a plug's go.mod read for its replace directives.
const maxGoMod = 4 << 20
