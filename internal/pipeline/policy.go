package pipeline

import (
	"github.com/plugctl/plugctl/internal/policy"
)

// checkPolicyStatic (load) holds the config's core and plugs to its
// policy by what the config itself says: module paths it names, hosts of
// its git and archive sources. Nothing is fetched first, so validate and
// every command refuse a violation at once (exit 6).
func (s *State) checkPolicyStatic() error {
	if s.Config.Policy == nil {
		return nil
	}
	return s.Config.Policy.Check(s.Config.PolicySubjects())
}

// checkPolicy (check) holds the components to the policy once their
// module paths are known: a git or local source's module path comes from
// its go.mod. The config's positions are kept.
func (s *State) checkPolicy() error {
	p := s.Config.Policy
	if p == nil || s.Set == nil {
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
	return p.Check(late)
}
