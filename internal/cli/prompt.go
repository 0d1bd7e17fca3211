package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// prompter asks questions on a terminal: the question on stderr, the answer
// read as one line from stdin. Commands use it only when IOStreams.InTTY;
// everywhere else their flags say everything.
type prompter struct {
	in  *bufio.Reader
	out io.Writer
	st  styles
}

func (g *globals) prompter() *prompter {
	if g.prompt == nil {
		st := newStyles(g.ios, lipgloss.NewRenderer(g.ios.ErrOut))
		g.prompt = &prompter{in: bufio.NewReader(g.ios.In), out: g.ios.ErrOut, st: st}
	}
	return g.prompt
}

// errNoAnswer is returned when stdin ends before a question is answered.
var errNoAnswer = errors.New("no answer: input ended")

// ask shows question with its default in brackets and returns the trimmed
// answer, or def for an empty one. help, when set, is shown dimmed under
// the question.
func (p *prompter) ask(question, help, def string) (string, error) {
	if help != "" {
		fmt.Fprintln(p.out, p.st.dim.Render(help))
	}
	q := p.st.head.Render(question)
	if def != "" {
		q += " " + p.st.dim.Render("["+def+"]")
	}
	fmt.Fprint(p.out, q+": ")
	line, err := p.in.ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		fmt.Fprintln(p.out)
		if errors.Is(err, io.EOF) {
			return "", errNoAnswer
		}
		return "", err
	}
	line = strings.TrimSpace(line)
	if line == "" {
		return def, nil
	}
	return line, nil
}
