package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/plugctl/plugctl/internal/fail"
)

// prompter asks questions on a terminal: the question on stderr, the answer
// read as one line from stdin. Commands use it only when IOStreams.InTTY;
// everywhere else their flags say everything.
//
// Lines are read by one goroutine, so that a question can end when the
// context does: Ctrl-C at a prompt stops the command at once (exit 130)
// instead of leaving it waiting for a line — which the shell's next
// commands would otherwise become.
type prompter struct {
	in    *bufio.Reader
	out   io.Writer
	st    styles
	lines chan line // started by the first question
}

// line is one line of input, or the error that ended the input.
type line struct {
	text string
	err  error
}

func (g *globals) prompter() *prompter {
	if g.prompt == nil {
		st := newStyles(g.ios, lipgloss.NewRenderer(g.ios.ErrOut))
		g.prompt = &prompter{in: bufio.NewReader(g.ios.In), out: g.ios.ErrOut, st: st}
	}
	return g.prompt
}

// errNoAnswer is returned when stdin ends before a question is answered:
// Ctrl-D at a terminal, which ends the command like Ctrl-C (exit 130).
var errNoAnswer = fail.Wrap(fail.Interrupted, errors.New("no answer: input ended"))

// read returns the next line of input, or ctx's error once ctx is done.
func (p *prompter) read(ctx context.Context) (string, error) {
	if p.lines == nil {
		p.lines = make(chan line)
		go func() {
			for {
				s, err := p.in.ReadString('\n')
				p.lines <- line{s, err}
				if err != nil {
					close(p.lines)
					return
				}
			}
		}()
	}
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case l, ok := <-p.lines:
		switch {
		case !ok:
			return "", errNoAnswer
		case l.err == nil:
			return l.text, nil
		case errors.Is(l.err, io.EOF) && l.text != "":
			return l.text, nil // a last line without a newline
		case errors.Is(l.err, io.EOF):
			return "", errNoAnswer
		}
		return "", l.err
	}
}

// ask shows question with its default in brackets and returns the trimmed
// answer, or def for an empty one. help, when set, is shown dimmed under
// the question.
func (p *prompter) ask(ctx context.Context, question, help, def string) (string, error) {
	if help != "" {
		fmt.Fprintln(p.out, p.st.dim.Render(help))
	}
	q := p.st.head.Render(question)
	if def != "" {
		q += " " + p.st.dim.Render("["+def+"]")
	}
	fmt.Fprint(p.out, q+": ")
	text, err := p.read(ctx)
	if err != nil {
		// The shell's prompt must not start after the question.
		fmt.Fprintln(p.out)
		return "", err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return def, nil
	}
	return text, nil
}

// askValid asks question until check accepts the answer, saying after each
// refused one what is wrong with it, and returns the answer as check
// returns it. An empty answer with no default is passed to check, which may
// accept it. help is shown with the first question only.
func (p *prompter) askValid(ctx context.Context, question, help, def string, check func(string) (string, error)) (string, error) {
	for ; ; help = "" {
		a, err := p.ask(ctx, question, help, def)
		if err != nil {
			return "", err
		}
		v, err := check(a)
		if err == nil {
			return v, nil
		}
		fmt.Fprintln(p.out, p.st.bad.Render(err.Error()))
	}
}
