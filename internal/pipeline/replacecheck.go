package pipeline

import (
	"fmt"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
)

// checkReplaces refuses a replace entry for a module the config already
// builds from a source (local, git or archive), listing every such entry at
// its file:line:col. It runs in the resolve step, so validate reports it
// rather than leaving it for generate to find: both the source and the
// replacement would otherwise claim the same module in the build's go.mod.
func (s *State) checkReplaces() error {
	fromSource := map[string]string{}
	for _, c := range s.Set.All() {
		if c.Dir != "" {
			fromSource[c.Module] = c.Name
		}
	}
	var errs diag.List
	for _, r := range s.Config.Replace {
		name, ok := fromSource[r.Path]
		if !ok {
			continue
		}
		errs = append(errs, &diag.Problem{File: s.Config.File, Pos: r.Pos,
			Msg: fmt.Sprintf("replace %s: the module is already built from its source in the config (by %s); remove the entry", r.Path, who(name))})
	}
	if len(errs) > 0 {
		return fail.Wrap(fail.Config, errs)
	}
	return nil
}
