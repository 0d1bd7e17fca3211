// Package slogx is a test library whose v0.3.0 drops an API its v0.2.0
// has, as go.uber.org/zap/exp's zapslog dropped HandlerOptions.
package slogx

// Option configures a handler (HandlerOptions is gone).
type Option func()

// Name names the library's version.
const Name = "slogx v0.3.0"
