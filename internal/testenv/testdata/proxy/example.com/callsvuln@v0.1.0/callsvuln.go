// Package callsvuln is a test plug that calls the vulnerable
// example.com/vulnlib/parse.Unsafe when it registers.
package callsvuln

import (
	"example.com/server/registry"
	"example.com/vulnlib/parse"
)

func init() { registry.Register(parse.Unsafe("callsvuln"), "v0.1.0") }
