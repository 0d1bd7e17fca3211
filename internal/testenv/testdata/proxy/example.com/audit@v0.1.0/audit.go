// Package audit is a test plug for the test core.
package audit

import "example.com/server/registry"

func init() { registry.Register("audit", "v0.1.0") }
