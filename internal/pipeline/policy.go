package pipeline

import (
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/policy"
)

// loadSite reads the site's policy file (Opts.Policy) once.
func (s *State) loadSite() error {
	if s.Opts.Policy == "" || s.Site != nil {
		return nil
	}
	p, err := config.LoadPolicy(s.Opts.Policy)
	if err != nil {
		return err
	}
	s.Site = p
	return nil
}

// policies are the policies the run is held to: the config's (once
// loaded) and the site's.
func (s *State) policies() policy.Set {
	var ps policy.Set
	if s.Config != nil && s.Config.Policy != nil {
		ps = append(ps, s.Config.Policy)
	}
	if s.Site != nil {
		ps = append(ps, s.Site)
	}
	return ps
}

// checkPolicyStatic (load) holds the config's core and plugs to its
// policies by what the config itself says: module paths it names, hosts
// of its git and archive sources. Nothing is fetched first, so validate
// and every command refuse a violation at once (exit 6).
func (s *State) checkPolicyStatic() error {
	return s.policies().Check(s.Config.PolicySubjects())
}

// checkPolicy (check) holds the components to the policy once their
// module paths are known: a git or local source's module path comes from
// its go.mod. The config's positions are kept.
func (s *State) checkPolicy() error {
	ps := s.policies()
	if len(ps) == 0 || s.Set == nil {
		return nil
	}
	subjects := s.Config.PolicySubjects()
	mods := map[string]string{}
	for _, c := range s.Set.All() {
		mods[c.Name] = c.Module
	}
	var late []policy.Subject
	for _, sub := range subjects {
		if sub.Module == "" && mods[sub.Name] != "" {
			// At the source, which the module path comes from; the source
			// itself was checked at load.
			sub.Module, sub.ModulePos, sub.Source = mods[sub.Name], sub.SourcePos, ""
			late = append(late, sub)
		}
	}
	return ps.Check(late)
}
