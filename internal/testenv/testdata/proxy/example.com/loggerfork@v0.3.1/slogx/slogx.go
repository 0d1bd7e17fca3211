// Package slogx is a fork of example.com/logger's v0.3.0 that keeps the
// HandlerOptions v0.2.0 had, so that cores built against either build.
package slogx

// HandlerOptions configures a handler.
type HandlerOptions struct{ Level int }

// Option configures a handler.
type Option func()

// Name names the library's version.
const Name = "slogx fork v0.3.1"
