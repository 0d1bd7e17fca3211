// Package shaped is a test plug whose module graph has Caddy's shape: a go
// line with a patch version, a module (example.com/testonly) that only its
// tests import, so go mod tidy of a build that uses it keeps that module's
// hashes in go.sum without requiring it, and two versions of one module
// (example.com/deeptest v1.9.0 and v1.10.0), which go.sum sorts by semver.
package shaped

import (
	"example.com/deeptest"
	"example.com/logger/slogx"
	"example.com/server/registry"
)

func init() { registry.Register("shaped", slogx.Name+" "+deeptest.Name) }
