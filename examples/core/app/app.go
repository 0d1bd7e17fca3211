// Package app is the example core: a small command-line program built with
// its plugs by plugctl. It starts the plugs through the plugctl SDK, greets
// people through the [hooks.Greet] hook, reports what is compiled in, and
// stops the plugs when it is done or on SIGINT or SIGTERM.
//
// Commands:
//
//	plugins           list the plugs compiled in, one line each
//	setting PLUG KEY  write the string setting KEY of PLUG exactly as configured
//	greet NAME        greet NAME through the plugs attached to the greet hook
//	serve             greet each name read from standard input, one a line,
//	                  until the input ends or a SIGINT or SIGTERM arrives
//
// The plugins command prints, for each plug in start order (configured plugs
// in config order, then the others by name):
//
//	NAME VERSION "DESCRIPTION" settings: KEY=VALUE ...
//
// VERSION is the plug's version as the SDK reports it (the version plugctl
// resolved for its module, else the build's), "-" when none is known. The
// settings are the plug config's, sorted by key; "settings: none" when there
// are none, and "not configured" in their place for a plug the config does
// not name.
// A value is printed as: a Go-quoted string ("Hello", with control and
// bidirectional characters and invalid UTF-8 escaped), an integer, a float
// (always with a "." or an exponent: 2.0, 1e+21), true, false, null, a list
// [V,V] or a map {KEY=V,KEY=V}; a setting read when the program starts is
// printed as its reference, {env: NAME} or {file: "PATH"}, never as the
// value read. A key made only of ASCII letters, digits, _ and - is printed
// bare, any other key Go-quoted. For example:
//
//	greeter v0.1.0 "Greets people through the core's greet hook" settings: greeting="Hello" shout=true
//	stamp v0.1.0 "Decorates the greeting with a repeated prefix" settings: prefix="[plugctl] " repeat=2
//
// Exit status: 0 on success (a signal ending serve included), 1 when a plug
// fails to start or to stop or a command fails, 2 for a usage error. A
// second signal while the plugs stop ends the program at once.
package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/plugctl/plugctl/examples/core/hooks"
	"github.com/plugctl/plugctl/plug"
)

// StopTimeout bounds how long the plugs have to stop.
const StopTimeout = 10 * time.Second

// Main is the core's entry function, called by the main package plugctl
// generates once it has configured the plugs. It starts the plugs, runs the
// command os.Args names, stops the plugs and exits.
func Main() {
	prog := filepath.Base(os.Args[0])
	ctx, ignoreSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := 0
	if err := plug.Start(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", prog, err)
		code = 1
	} else {
		code = run(ctx, prog, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	}
	// From here a signal ends the program: the plugs had their chance.
	ignoreSignals()
	// The plugs that started stop, also after a failed start.
	stopCtx, cancel := context.WithTimeout(context.Background(), StopTimeout)
	err := plug.Stop(stopCtx)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", prog, err)
		code = max(code, 1)
	}
	os.Exit(code)
}

// errUsage marks a command line that names no known command or has the
// wrong arguments.
var errUsage = errors.New("usage")

// run runs the command args name, the plugs being started, and returns the
// exit status.
func run(ctx context.Context, prog string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var err error
	switch {
	case len(args) == 0, args[0] == "help", args[0] == "-h", args[0] == "--help":
		usage(stdout, prog)
		return 0
	case args[0] == "plugins" && len(args) == 1:
		err = listPlugins(stdout)
	case args[0] == "setting" && len(args) == 3:
		err = writeSetting(stdout, args[1], args[2])
	case args[0] == "greet" && len(args) == 2:
		err = greet(ctx, stdout, args[1])
	case args[0] == "serve" && len(args) == 1:
		err = serve(ctx, prog, stdin, stdout, stderr)
	case args[0] == "plugins" || args[0] == "setting" || args[0] == "greet" || args[0] == "serve":
		fmt.Fprintf(stderr, "%s: wrong number of arguments for %s\n", prog, args[0])
		err = errUsage
	default:
		fmt.Fprintf(stderr, "%s: unknown command %q\n", prog, args[0])
		err = errUsage
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		usage(stderr, prog)
		return 2
	default:
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
}

func usage(w io.Writer, prog string) {
	fmt.Fprintf(w, `usage: %s COMMAND [ARGUMENTS]

commands:
  plugins           list the plugs compiled in, with their settings
  setting PLUG KEY  write the string setting KEY of PLUG as it is, with no newline
  greet NAME        greet NAME through the plugs attached to the greet hook
  serve             greet each name read from standard input, one a line,
                    until the input ends or a SIGINT or SIGTERM arrives
`, prog)
}

// listPlugins writes one line per plug compiled in; the format is in the
// package documentation.
func listPlugins(w io.Writer) error {
	var b strings.Builder
	for _, p := range plug.List() {
		b.WriteString(pluginLine(p))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// pluginLine formats p as the plugins command prints it, without the
// newline; the format is in the package documentation.
func pluginLine(p plug.Info) string {
	var b strings.Builder
	b.WriteString(p.Name)
	b.WriteByte(' ')
	if p.Version == "" {
		b.WriteByte('-')
	} else {
		b.WriteString(p.Version)
	}
	b.WriteByte(' ')
	b.WriteString(strconv.Quote(p.Description))
	switch {
	case !p.Configured:
		b.WriteString(" not configured")
	case len(p.Settings) == 0:
		b.WriteString(" settings: none")
	default:
		b.WriteString(" settings:")
		for _, k := range slices.Sorted(maps.Keys(p.Settings)) {
			b.WriteByte(' ')
			writeKey(&b, k)
			b.WriteByte('=')
			writeValue(&b, p.Settings[k])
		}
	}
	return b.String()
}

func writeKey(b *strings.Builder, k string) {
	plain := k != ""
	for _, c := range []byte(k) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			plain = false
			break
		}
	}
	if plain {
		b.WriteString(k)
	} else {
		b.WriteString(strconv.Quote(k))
	}
}

func writeValue(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eIN") { // keep 2.0 apart from the integer 2
			s += ".0"
		}
		b.WriteString(s)
	case string:
		b.WriteString(strconv.Quote(v))
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeValue(b, e)
		}
		b.WriteByte(']')
	case plug.Ref:
		b.WriteString(v.String())
	case map[string]any:
		b.WriteByte('{')
		for i, k := range slices.Sorted(maps.Keys(v)) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeKey(b, k)
			b.WriteByte('=')
			writeValue(b, v[k])
		}
		b.WriteByte('}')
	default:
		fmt.Fprintf(b, "%v", v)
	}
}

// writeSetting writes the string setting key of the plug named name, byte
// for byte.
func writeSetting(w io.Writer, name, key string) error {
	var names []string
	for _, p := range plug.List() {
		if p.Name != name {
			names = append(names, p.Name)
			continue
		}
		v, ok := p.Settings[key]
		if !ok {
			return fmt.Errorf("plug %q has no setting %q in the plug config", name, key)
		}
		s, ok := v.(string)
		if !ok {
			var b strings.Builder
			writeValue(&b, v)
			return fmt.Errorf("setting %q of plug %q is not a string: %s", key, name, b.String())
		}
		_, err := io.WriteString(w, s)
		return err
	}
	known := "none"
	if len(names) > 0 {
		known = strings.Join(names, ", ")
	}
	return fmt.Errorf("no plug %q is compiled in (compiled in: %s)", name, known)
}

// serve greets each line of in as a name, printing each greeting on w and
// each failure on stderr, until in ends or ctx is done (a signal arrived).
func serve(ctx context.Context, prog string, in io.Reader, w, stderr io.Writer) error {
	lines := make(chan string)
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		done <- sc.Err()
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-done:
			return err
		case name := <-lines:
			if err := greet(ctx, w, name); err != nil {
				fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			}
		}
	}
}

// greet runs the greet hook for name and prints the result.
func greet(ctx context.Context, w io.Writer, name string) error {
	g, err := hooks.Greet.Run(ctx, hooks.Greeting{Name: name, Text: name})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, g.Text)
	return err
}
