// Package vault is a test plug for the test core.
package vault

import "example.com/server/registry"

func init() { registry.Register("vault", "v1.0.0") }
