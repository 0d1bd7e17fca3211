package pipeline

import (
	"fmt"
	"go/version"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
)

// checkGoVersions refuses a core or plug whose go.mod needs a newer Go than
// the toolchain plugctl builds with. The go command would fail too, but only
// once the module graph is being completed, naming a generated directory
// rather than the plug — or, were GOTOOLCHAIN not forced to local, it would
// download a toolchain. Every component that is too new is reported, each at
// the position of its entry in the config.
func (s *State) checkGoVersions() error {
	have := s.Toolchain.Version
	if !version.IsValid(have) {
		return nil // a development toolchain: nothing to compare with
	}
	var errs diag.List
	check := func(name string, pos config.Pos, mod, goLine string) {
		need := "go" + goLine
		if goLine == "" || !version.IsValid(need) || version.Compare(need, have) <= 0 {
			return
		}
		errs = append(errs, &diag.Problem{File: s.Config.File, Pos: pos, Subject: name,
			Msg: fmt.Sprintf("%s needs Go %s or newer (its go.mod says \"go %s\") but the toolchain is %s, and plugctl never downloads one: build with a newer Go, or use a version of %s that builds with %s",
				mod, goLine, goLine, have, mod, have)})
	}
	for _, c := range s.Set.All() {
		if c.GoMod == nil || c.GoMod.Go == nil {
			continue
		}
		pos := s.Config.Core.Pos
		if c.Name != "core" {
			for _, pl := range s.Config.Plugins {
				if pl.Name == c.Name {
					pos = pl.Pos
				}
			}
		}
		check(c.Name, pos, c.Module, c.GoMod.Go.Version)
	}
	if len(errs) > 0 {
		return fail.Wrap(fail.Config, errs)
	}
	return nil
}
