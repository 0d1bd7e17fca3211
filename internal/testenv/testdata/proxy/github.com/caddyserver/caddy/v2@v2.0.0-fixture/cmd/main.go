// Package caddycmd is a fixture of Caddy's command line: Main runs the
// command its arguments name.
package caddycmd

import (
	"flag"
	"fmt"
	"os"

	"github.com/caddyserver/caddy/v2"
)

// Flags are a command's parsed flags.
type Flags struct{ *flag.FlagSet }

// CommandFunc runs a command and returns its exit code.
type CommandFunc func(Flags) (int, error)

// Command is a subcommand a module adds to the caddy command.
type Command struct {
	Name  string
	Usage string
	Short string
	Func  CommandFunc
}

var commands = map[string]Command{}

// RegisterCommand adds a subcommand; a second one with the same name
// panics.
func RegisterCommand(cmd Command) {
	if _, ok := commands[cmd.Name]; ok {
		panic("command already registered: " + cmd.Name)
	}
	commands[cmd.Name] = cmd
}

// Main runs list-modules (every registered module, one a line), version,
// or a command a module registered.
func Main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: caddy list-modules|version")
		os.Exit(2)
	}
	if cmd, ok := commands[os.Args[1]]; ok {
		fs := flag.NewFlagSet(cmd.Name, flag.ExitOnError)
		fs.Parse(os.Args[2:])
		code, err := cmd.Func(Flags{fs})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(code)
	}
	switch os.Args[1] {
	case "list-modules":
		for _, id := range caddy.Modules() {
			fmt.Println(id)
		}
	case "version":
		fmt.Println("v2.0.0-fixture")
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}
