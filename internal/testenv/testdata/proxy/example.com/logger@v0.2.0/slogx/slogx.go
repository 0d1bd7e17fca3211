// Package slogx is a test library whose v0.3.0 drops an API its v0.2.0
// has, as go.uber.org/zap/exp's zapslog dropped HandlerOptions.
package slogx

// HandlerOptions configures a handler.
type HandlerOptions struct{ Level int }

// Name names the library's version.
const Name = "slogx v0.2.0"
