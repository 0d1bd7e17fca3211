//go:build !nobadger

package standard

import "github.com/caddyserver/caddy/v2"

// As in Caddy, the badger storage is left out by the build tag nobadger,
// which xcaddy sets.
func init() { caddy.RegisterModule(module("caddy.storage.badger")) }
