// Package importsvuln is a test plug that imports the vulnerable
// example.com/vulnlib/parse but calls only its unaffected Safe.
package importsvuln

import (
	"example.com/server/registry"
	"example.com/vulnlib/parse"
)

func init() { registry.Register(parse.Safe("importsvuln"), "v0.1.0") }
