//go:build !linux

package cli_test

import "github.com/rogpeppe/go-internal/testscript"

// opensCmds count file opens with inotify, which only Linux has; the
// scripts that use them skip elsewhere.
var opensCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){}
