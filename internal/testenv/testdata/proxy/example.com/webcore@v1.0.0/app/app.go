// Package app is a test core built against example.com/logger v0.2.0, as
// Caddy v2.8.4 is against go.uber.org/zap/exp v0.2.0.
package app

import (
	"fmt"

	"example.com/logger/slogx"
)

var opts = slogx.HandlerOptions{Level: 1}

// Main prints what it was built with.
func Main() { fmt.Println("webcore v1.0.0 with", slogx.Name, opts.Level) }
