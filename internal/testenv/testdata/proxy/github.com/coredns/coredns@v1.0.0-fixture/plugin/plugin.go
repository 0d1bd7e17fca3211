// Package plugin is a fixture of CoreDNS's plugin registry: a plugin
// registers a handler under its directive's name from init.
package plugin

import "sort"

// Handler handles a query, then hands it to next (which it may skip).
type Handler func(query string, next func(string) string) string

var handlers = map[string]Handler{}

// Register registers the plugin of a directive.
func Register(name string, h Handler) { handlers[name] = h }

// Lookup returns the handler of a directive.
func Lookup(name string) (Handler, bool) {
	h, ok := handlers[name]
	return h, ok
}

// Names lists the registered plugins, sorted.
func Names() []string {
	out := make([]string, 0, len(handlers))
	for n := range handlers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
