// Package standard registers the fixture's standard modules.
package standard

import "github.com/caddyserver/caddy/v2"

type module string

func (m module) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: string(m), New: func() caddy.Module { return m }}
}

func init() {
	caddy.RegisterModule(module("http.handlers.file_server"))
	caddy.RegisterModule(module("http.handlers.reverse_proxy"))
}
