package pipeline

import (
	"context"
	"fmt"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/source"
	srcmodule "github.com/plugctl/plugctl/internal/source/module"
)

// sdkServed checks, before anything is generated, that the go command can
// fetch the plugctl SDK at the version the core and plugs require, when
// nothing of the config provides it (a replace entry, a plug inheriting
// its go.mod's replace of it, a component that is the SDK). The SDK is not
// published on the module proxy yet: without a replace, go mod tidy failed
// later with the proxy's refusal and no word of what to add. A proxy that
// says it has no such module is the config's problem, at the component
// requiring the highest version (exit 2), with the replace to add; one that
// cannot be reached is a fetch failure (exit 4), with the same hint. An
// offline build takes the SDK from the vendor tree.
func (s *State) sdkServed(ctx context.Context) error {
	if s.Offline {
		return nil
	}
	for _, r := range s.Config.Replace {
		if r.Path == config.SDKModule {
			return nil
		}
	}
	comps := s.Set.All()
	who, version := -1, ""
	for i, c := range comps {
		if c.Module == config.SDKModule {
			return nil
		}
		if c.GoMod == nil {
			continue
		}
		for _, req := range c.GoMod.Require {
			if req.Mod.Path == config.SDKModule && (who < 0 || semver.Compare(req.Mod.Version, version) > 0) {
				who, version = i, req.Mod.Version
			}
		}
	}
	if who < 0 {
		return nil
	}
	inherits := map[string]bool{}
	for _, p := range s.Config.Enabled() {
		inherits[p.Name] = p.Replaces == config.ReplacesInherit
	}
	for _, c := range s.Set.Plugs {
		if !inherits[c.Name] {
			continue
		}
		if replaces, err := goModReplaces(c); err == nil {
			for _, r := range replaces {
				if r.Old.Path == config.SDKModule {
					return nil // inheritReplaces checks it
				}
			}
		}
	}
	env, err := s.sourceEnv()
	if err != nil {
		return err
	}
	_, err = srcmodule.Download(ctx, env, module.Version{Path: config.SDKModule, Version: version})
	if err == nil || ctx.Err() != nil {
		return ctx.Err()
	}
	r := &s.requests[who]
	if gotool.ClassifyQuery(err.Error()) == gotool.QueryNotFound {
		return fail.Wrap(fail.Config, diag.List{{File: r.File, Pos: sourceAt(r), Subject: r.Name,
			Msg: fmt.Sprintf("requires the plugctl SDK, %s %s, which the module proxy does not have (%s); %s",
				config.SDKModule, version, redact.String(gotool.QueryReason(err.Error())), config.SDKReplaceHint)}})
	}
	return fail.Wrap(fail.Fetch, fmt.Errorf("%s requires the plugctl SDK, %s %s: %w; if the module proxy does not have it, %s",
		source.Label(r.Name), config.SDKModule, version, err, config.SDKReplaceHint))
}
