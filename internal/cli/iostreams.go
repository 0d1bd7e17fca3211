package cli

import (
	"io"
	"os"

	"github.com/charmbracelet/x/term"
)

// IOStreams is where a command reads and writes. Results go to Out, progress
// and diagnostics to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// TTY reports whether ErrOut is a terminal: progress is drawn only then.
	TTY bool
	// OutTTY reports whether Out is a terminal.
	OutTTY bool
	// Width is the terminal's width in columns when TTY, else 0.
	Width int
	// InTTY reports whether In is a terminal: commands ask questions only then.
	InTTY bool
	// Color reports whether styling is wanted (a terminal and no NO_COLOR).
	Color bool
}

// System returns the process's streams.
func System() *IOStreams {
	tty := term.IsTerminal(os.Stderr.Fd())
	_, noColor := os.LookupEnv("NO_COLOR")
	width := 0
	if tty {
		if w, _, err := term.GetSize(os.Stderr.Fd()); err == nil {
			width = w
		}
	}
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		TTY:    tty,
		OutTTY: term.IsTerminal(os.Stdout.Fd()),
		Width:  width,
		InTTY:  term.IsTerminal(os.Stdin.Fd()),
		Color:  tty && !noColor && os.Getenv("TERM") != "dumb",
	}
}
