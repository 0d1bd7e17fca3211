// Package caddy is a fixture of Caddy's module registry, at Caddy's import
// path, for plugctl's tests of the caddy profile: modules register
// themselves from init, as Caddy's do.
package caddy

import (
	"fmt"
	"sort"
)

// Module is a Caddy module.
type Module interface{ CaddyModule() ModuleInfo }

// ModuleInfo names a module.
type ModuleInfo struct {
	ID  string
	New func() Module
}

var modules = map[string]ModuleInfo{}

// RegisterModule registers a module; a second one with the same ID panics.
func RegisterModule(m Module) {
	info := m.CaddyModule()
	if _, ok := modules[info.ID]; ok {
		panic("module already registered: " + info.ID)
	}
	modules[info.ID] = info
}

// Modules returns the IDs of the registered modules, sorted.
func Modules() []string {
	out := make([]string, 0, len(modules))
	for id := range modules {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// GetModule returns the module registered under name.
func GetModule(name string) (ModuleInfo, error) {
	m, ok := modules[name]
	if !ok {
		return ModuleInfo{}, fmt.Errorf("module not registered: %s", name)
	}
	return m, nil
}
