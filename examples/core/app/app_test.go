package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/examples/core/hooks"
	"github.com/plugctl/plugctl/plug"
)

// evil is a setting that must come out of the setting command byte for byte.
const evil = "\xff\x00\u202e`*/\"\\\n"

// TestMain registers, configures and starts the plugs these tests use, as
// a generated main would. With EXAMPLE_CORE_MAIN set, the test binary acts
// as a built program instead: it calls Main, which exits.
func TestMain(m *testing.M) {
	mode := os.Getenv("EXAMPLE_CORE_MAIN")
	switch mode {
	case "broken":
		plug.Register(plug.Plugin{Name: "broken", Version: "v1.0.0", Init: func(*plug.Context) error {
			return errors.New("boom")
		}})
	case "leaky":
		plug.Register(plug.Plugin{Name: "leaky", Init: func(*plug.Context) error { return nil }, Stop: func(context.Context) error {
			return errors.New("boom")
		}})
	case "closer":
		plug.Register(plug.Plugin{Name: "closer", Init: func(*plug.Context) error { return nil }, Stop: func(context.Context) error {
			fmt.Println("closer: stopped")
			return nil
		}})
	}
	setUp()
	if mode != "" {
		Main()
	}
	if err := plug.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func setUp() {
	plug.Register(plug.Plugin{Name: "hello", Version: "v0.1.0", Description: "says hello", Init: func(c *plug.Context) error {
		hooks.Greet.Attach(c, func(_ context.Context, g hooks.Greeting) (hooks.Greeting, error) {
			g.Text = "Hello, " + g.Text
			return g, nil
		})
		return nil
	}})
	plug.Register(plug.Plugin{Name: "picky", Description: "refuses nobody", Init: func(c *plug.Context) error {
		hooks.Greet.Attach(c, func(_ context.Context, g hooks.Greeting) (hooks.Greeting, error) {
			if g.Name == "nobody" {
				return g, errors.New("will not greet nobody")
			}
			g.Text += "!"
			return g, nil
		})
		return nil
	}})
	plug.Register(plug.Plugin{Name: "quiet", Version: "v2.0.0", Init: func(*plug.Context) error { return nil }})
	plug.Configure(
		plug.Configured{Name: "picky", Module: "example.com/picky", Version: "v0.0.0"},
		plug.Configured{Name: "hello", Module: "example.com/hello", Version: "v0.1.0", Settings: map[string]any{
			"greeting": "Hello", "count": int64(2), "ratio": 0.5, "raw": evil,
			"tags": []any{"a", nil, true}, "nested": map[string]any{"x": "y"},
		}},
	)
}

func TestRun(t *testing.T) {
	usage := `usage: core COMMAND [ARGUMENTS]

commands:
  plugins           list the plugs compiled in, with their settings
  setting PLUG KEY  write the string setting KEY of PLUG as it is, with no newline
  greet NAME        greet NAME through the plugs attached to the greet hook
  serve             greet each name read from standard input, one a line,
                    until the input ends or a SIGINT or SIGTERM arrives
`
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"no arguments", nil, 0, usage, ""},
		{"help", []string{"help"}, 0, usage, ""},
		{"plugins", []string{"plugins"}, 0,
			`picky v0.0.0 "refuses nobody" settings: none` + "\n" +
				`hello v0.1.0 "says hello" settings: count=2 greeting="Hello" nested={x="y"} ratio=0.5 raw="\xff\x00\u202e` + "`" + `*/\"\\\n" tags=["a",null,true]` + "\n" +
				`quiet v2.0.0 "" not configured` + "\n",
			""},
		{"setting", []string{"setting", "hello", "greeting"}, 0, "Hello", ""},
		{"setting with every kind of byte", []string{"setting", "hello", "raw"}, 0, evil, ""},
		{"setting of no plug", []string{"setting", "nope", "greeting"}, 1, "",
			"core: no plug \"nope\" is compiled in (compiled in: picky, hello, quiet)\n"},
		{"missing setting", []string{"setting", "hello", "colour"}, 1, "",
			"core: plug \"hello\" has no setting \"colour\" in the plug config\n"},
		{"setting that is not a string", []string{"setting", "hello", "tags"}, 1, "",
			"core: setting \"tags\" of plug \"hello\" is not a string: [\"a\",null,true]\n"},
		{"greet", []string{"greet", "World"}, 0, "Hello, World!\n", ""},
		{"greet fails", []string{"greet", "nobody"}, 1, "",
			"core: hook \"greet\": plug \"picky\": will not greet nobody\n"},
		{"unknown command", []string{"frobnicate"}, 2, "", "core: unknown command \"frobnicate\"\n" + usage},
		{"too few arguments", []string{"setting", "hello"}, 2, "", "core: wrong number of arguments for setting\n" + usage},
		{"too many arguments", []string{"greet", "a", "b"}, 2, "", "core: wrong number of arguments for greet\n" + usage},
		{"serve takes no arguments", []string{"serve", "a"}, 2, "", "core: wrong number of arguments for serve\n" + usage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), "core", tt.args, strings.NewReader(""), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit status %d, want %d", code, tt.code)
			}
			if got := stdout.String(); got != tt.stdout {
				t.Errorf("stdout:\ngot  %q\nwant %q", got, tt.stdout)
			}
			if got := stderr.String(); got != tt.stderr {
				t.Errorf("stderr:\ngot  %q\nwant %q", got, tt.stderr)
			}
		})
	}
}

func TestPluginLine(t *testing.T) {
	tests := []struct {
		name string
		info plug.Info
		want string
	}{
		{"not configured", plug.Info{Name: "a", Version: "v1.0.0", Description: "does a"}, `a v1.0.0 "does a" not configured`},
		{"no version, no settings", plug.Info{Name: "a", Configured: true}, `a - "" settings: none`},
		{"description is quoted", plug.Info{Name: "a", Description: "it's \"fine\"\n", Configured: true}, `a - "it's \"fine\"\n" settings: none`},
		{
			name: "values",
			info: plug.Info{Name: "a", Version: "v1", Configured: true, Settings: map[string]any{
				"f1": 2.0, "f2": 0.5, "f3": 1e21, "f4": -3.0, "i": int64(-2), "b": false, "n": nil,
				"l": []any{}, "m": map[string]any{}, "deep": map[string]any{"k": []any{map[string]any{"z": int64(1), "a": "b"}}},
			}},
			want: `a v1 "" settings: b=false deep={k=[{a="b",z=1}]} f1=2.0 f2=0.5 f3=1e+21 f4=-3.0 i=-2 l=[] m={} n=null`,
		},
		{
			name: "settings read at start",
			info: plug.Info{Name: "a", Configured: true, Settings: map[string]any{
				"token": plug.Ref{Env: "TOKEN"}, "key": plug.Ref{File: "/run/secrets/key", HasDefault: true, Default: "x"},
			}},
			want: `a - "" settings: key={file: "/run/secrets/key"} token={env: TOKEN}`,
		},
		{
			name: "keys that need quoting",
			info: plug.Info{Name: "a", Configured: true, Settings: map[string]any{"a b": "x", "": "e", "k=v": map[string]any{"\u202e": int64(1)}}},
			want: `a - "" settings: ""="e" "a b"="x" "k=v"={"\u202e"=1}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pluginLine(tt.info); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestMainProcess runs the test binary as a built program would run.
func TestMainProcess(t *testing.T) {
	tests := []struct {
		name           string
		mode           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"greet", "ok", []string{"greet", "Gopher"}, 0, "Hello, Gopher!\n", ""},
		{"setting", "ok", []string{"setting", "hello", "raw"}, 0, evil, ""},
		{"usage", "ok", []string{"nope"}, 2, "", "app.test: unknown command \"nope\"\n"},
		{"a plug fails to start", "broken", []string{"greet", "Gopher"}, 1, "", "app.test: starting plug \"broken\": boom\n"},
		{"a plug fails to stop", "leaky", []string{"greet", "Gopher"}, 1, "Hello, Gopher!\n", "app.test: stopping plug \"leaky\": boom\n"},
		{"the plugs stop when the command is done", "closer", []string{"greet", "Gopher"}, 0, "Hello, Gopher!\ncloser: stopped\n", ""},
		{"serve until the input ends", "closer", []string{"serve"}, 0, "Hello, a!\nHello, b!\ncloser: stopped\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], tt.args...)
			cmd.Env = append(os.Environ(), "EXAMPLE_CORE_MAIN="+tt.mode)
			cmd.Stdin = strings.NewReader("a\nb\n")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if exit, ok := err.(*exec.ExitError); ok {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code {
				t.Errorf("exit status %d, want %d", code, tt.code)
			}
			if got := stdout.String(); got != tt.stdout {
				t.Errorf("stdout:\ngot  %q\nwant %q", got, tt.stdout)
			}
			if got := stderr.String(); !strings.HasPrefix(got, tt.stderr) || tt.stderr == "" && got != "" {
				t.Errorf("stderr:\ngot  %q\nwant %q", got, tt.stderr)
			}
		})
	}
}

// TestServe greets the names read until the input ends; a name the hook
// refuses is reported and the next one greeted.
func TestServe(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), "core", []string{"serve"}, strings.NewReader("a\nnobody\nb"), &stdout, &stderr)
	if code != 0 {
		t.Errorf("exit status %d", code)
	}
	if got, want := stdout.String(), "Hello, a!\nHello, b!\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if got, want := stderr.String(), "core: hook \"greet\": plug \"picky\": will not greet nobody\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}
