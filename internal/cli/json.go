package cli

import (
	"encoding/json"
	"errors"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/build"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/redact"
)

// JSONSchema is the version of every --json document plugctl prints. Adding
// a field keeps it; removing, renaming or retyping one bumps it. docs/json.md
// is the reference.
const JSONSchema = 1

// envelope is the head every --json document starts with. A command's result
// type embeds it first, so the shared fields lead the object.
type envelope struct {
	// Schema is JSONSchema.
	Schema int `json:"schema"`
	// Command is the command path without "plugctl": "build", "new plug".
	Command string `json:"command"`
	// OK is true exactly when the exit code is 0.
	OK bool `json:"ok"`
	// Error is set exactly when OK is false.
	Error *jsonError `json:"error,omitempty"`
}

func (e *envelope) head() *envelope { return e }

// jsonResult is a command's --json document: a struct embedding envelope.
type jsonResult interface{ head() *envelope }

// jsonError is the error member of a failed command's --json document.
type jsonError struct {
	// Code is the process exit code (docs/commands.md; internal/fail).
	Code int `json:"code"`
	// Kind names the code: config, mismatch, fetch, compile, interrupted,
	// unexpected.
	Kind string `json:"kind"`
	// Message is the error as stderr shows it, credentials redacted.
	Message string `json:"message"`
	// Problems lists every positioned problem the error holds, whichever
	// part of plugctl found it: the config, a manifest, the lock,
	// resolution, a check of the build.
	Problems []jsonProblem `json:"problems,omitempty"`
	// Targets lists the targets that failed, for a build of several.
	Targets []jsonTargetError `json:"targets,omitempty"`
}

// jsonProblem is one diag.Problem.
type jsonProblem struct {
	File string `json:"file"`
	// Line and Col are 1-based; 0 when the problem is not at one place
	// (a value of the lock named by its field path).
	Line int `json:"line"`
	Col  int `json:"col"`
	// Plug is the problem's subject: a plug's name, "core" for the core,
	// absent for neither.
	Plug    string `json:"plug,omitempty"`
	Message string `json:"message"`
}

// jsonTargetError is the failure of one build target.
type jsonTargetError struct {
	Target  string `json:"target"`
	Code    int    `json:"code"`
	Message string `json:"message"`
	// Plugs are the plugs whose code a compile error is in ("core" for
	// the core), sorted; Positions each compile error at its file: a
	// local source relative to the current directory, a module's file as
	// module@version/path. Both absent for other failures.
	Plugs     []string      `json:"plugs,omitempty"`
	Positions []jsonProblem `json:"positions,omitempty"`
}

// kindNames are the JSON names of the failure kinds.
var kindNames = map[fail.Kind]string{
	fail.Unexpected:  "unexpected",
	fail.Config:      "config",
	fail.Mismatch:    "mismatch",
	fail.Fetch:       "fetch",
	fail.Compile:     "compile",
	fail.Policy:      "policy",
	fail.Interrupted: "interrupted",
}

// newJSONError describes err for a --json document.
func newJSONError(err error) *jsonError {
	k := fail.KindOf(err)
	je := &jsonError{Code: int(k), Kind: kindNames[k], Message: redact.String(err.Error())}
	if je.Kind == "" {
		je.Kind = "unexpected"
	}
	problems, _ := diag.Collect(err)
	for _, p := range problems {
		je.Problems = append(je.Problems, jsonProblem{p.File, p.Pos.Line, p.Pos.Col, p.Subject, redact.String(p.Msg)})
	}
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			var te *build.TargetError
			if errors.As(e, &te) {
				jt := jsonTargetError{Target: te.Target.String(), Code: fail.Code(te.Err), Message: redact.String(te.Err.Error())}
				var ce *build.CompileError
				if errors.As(te.Err, &ce) {
					jt.Plugs = ce.Plugs
					for _, p := range ce.Problems {
						jt.Positions = append(jt.Positions, jsonProblem{p.File, p.Line, p.Col, p.Plug, redact.String(p.Msg)})
					}
				}
				je.Targets = append(je.Targets, jt)
			}
		}
	}
	return je
}

// noJSONAnnotation marks a command whose stdout is never a --json envelope:
// schema prints a JSON document of its own, run hands stdout to the program,
// completion prints a script.
const noJSONAnnotation = "plugctl/no-json"

// wantsEnvelope reports whether cmd's --json output is an envelope.
func wantsEnvelope(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		if c.Annotations[noJSONAnnotation] != "" || c.Name() == "completion" || c.Name() == cobra.ShellCompRequestCmd || c.Name() == cobra.ShellCompNoDescRequestCmd {
			return false
		}
	}
	return true
}

// commandName is cmd's path without the root's name.
func commandName(cmd *cobra.Command) string {
	if cmd == nil || !cmd.HasParent() {
		return ""
	}
	p := cmd.CommandPath()
	root := cmd.Root().Name()
	if len(p) > len(root) {
		return p[len(root)+1:]
	}
	return p
}

// printResult writes the --json document of a finished command: the result
// the command left in g.result (or a bare envelope when it failed before
// making one) with the envelope filled in from err.
func (g *globals) printResult(cmd *cobra.Command, err error) error {
	res := g.result
	if res == nil {
		res = &envelope{}
	}
	h := res.head()
	h.Schema = JSONSchema
	h.Command = commandName(cmd)
	h.OK = err == nil
	h.Error = nil
	if err != nil {
		h.Error = newJSONError(err)
	}
	return g.printJSON(res)
}

// printJSON writes v as indented JSON on stdout, HTML characters unescaped
// so that paths and messages read as they are.
func (g *globals) printJSON(v any) error {
	enc := json.NewEncoder(g.ios.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
