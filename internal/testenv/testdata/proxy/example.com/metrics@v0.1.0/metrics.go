// Package metrics is a test plug for the test core.
package metrics

import "example.com/server/registry"

func init() { registry.Register("metrics", "v0.1.0") }
