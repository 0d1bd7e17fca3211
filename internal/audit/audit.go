// Package audit finds the known vulnerabilities a build reaches, with
// govulncheck's analysis (golang.org/x/vuln/scan), run in this process.
//
// A source audit loads a Go module's main package and its dependencies and
// builds their call graph: a vulnerability whose affected symbol is
// reachable from the program's entry points is Called; one whose affected
// package is imported but whose symbols are not reached is Imported; one in
// a module of the graph at an affected version whose packages are not
// imported is Required. A binary audit reads the module list and symbol
// table of a Go binary instead: what the linker kept is what it reaches.
//
// The database is govulncheck's default when Options.DB is empty, else an
// http(s) URL or a local directory (a path or a file:// URL) in the
// vulnerability database layout:
//
//	index/db.json        {"modified": TIME}
//	index/modules.json   [{"path": MODULE, "vulns": [{"id": ID, "modified": TIME, "fixed": VERSION}]}]
//	ID/<ID>.json         one OSV entry per vulnerability
//
// so an air-gapped site audits from a copy it carried in.
package audit

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/vuln/scan"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/policy"
)

// Level is how far a build reaches into a vulnerability (package policy
// owns the levels: they are thresholds of a policy too).
type Level = policy.Level

// The levels (policy.Level).
const (
	Required = policy.Required
	Imported = policy.Imported
	Called   = policy.Called
)

// Options say what to audit, and against which database.
type Options struct {
	// DB is the vulnerability database: an http(s) URL, a file:// URL or
	// a directory; "" for govulncheck's default.
	DB string
	// Dir is the module whose main package (".") a source audit loads;
	// Binary, when set instead, is the binary a binary audit reads.
	Dir    string
	Binary string
	// Env is the environment of the go command that loads the packages
	// (GOFLAGS=-mod=vendor for a vendor tree, GOOS and GOARCH, GOVERSION
	// for the standard library's vulnerabilities).
	Env []string
	// Tags are the build tags the program is compiled with.
	Tags []string
}

// Report is what an audit found.
type Report struct {
	// Mode is "source" or "binary".
	Mode string `json:"mode"`
	// DB is the database as given ("" for govulncheck's default), and
	// Modified when it was last changed, as it says.
	DB       string `json:"db,omitempty"`
	Modified string `json:"db_modified,omitempty"`
	// GoVersion is the Go version whose standard library was checked.
	GoVersion string `json:"go_version,omitempty"`
	// Findings are sorted by module, then ID.
	Findings []Finding `json:"findings"`
}

// Finding is one vulnerability in one module of the build.
type Finding struct {
	ID      string   `json:"id"`
	Aliases []string `json:"aliases,omitempty"`
	Summary string   `json:"summary,omitempty"`
	// Module and Version are the affected module as the build has it;
	// Fixed is the lowest version that fixes it ("" when none does yet).
	Module  string `json:"module"`
	Version string `json:"version,omitempty"`
	Fixed   string `json:"fixed_version,omitempty"`
	// Level is how far the build reaches into it.
	Level Level `json:"level"`
	// Package is the affected package when imported or called; Symbol
	// the affected function when called (Type.Method for a method).
	Package string `json:"package,omitempty"`
	Symbol  string `json:"symbol,omitempty"`
	// CallPath is, when called, one path through the program from an
	// entry point to Symbol, the entry first.
	CallPath []Frame `json:"call_path,omitempty"`
	// Component is the core or plug the finding comes through: whose
	// code the call path goes through first from the entry, else whose
	// requirements bring Module into the build; the caller, who knows the
	// build's components and its module graph, fills it in.
	Component string `json:"component,omitempty"`
}

// Frame is one function of a call path.
type Frame struct {
	Module   string `json:"module"`
	Version  string `json:"version,omitempty"`
	Package  string `json:"package"`
	Function string `json:"function"` // Type.Method for a method
	// Position is file:line:col of the call in the module (of the
	// function itself for the last frame); "" when unknown (a binary).
	Position string `json:"position,omitempty"`
}

// Failing returns the findings that reach threshold or further.
func (r *Report) Failing(threshold Level) []Finding {
	var out []Finding
	if threshold == policy.Off {
		return nil
	}
	for _, f := range r.Findings {
		if f.Level >= threshold {
			out = append(out, f)
		}
	}
	return out
}

// DBURL turns a database as the user names it into the URL govulncheck
// reads: a URL as it is, a directory (relative to base) as a file:// URL.
func DBURL(db, base string) string {
	if db == "" || strings.Contains(db, "://") {
		return db
	}
	if !filepath.IsAbs(db) {
		db = filepath.Join(base, db)
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(db)}
	if !strings.HasPrefix(u.Path, "/") { // a Windows drive letter
		u.Path = "/" + u.Path
	}
	return u.String()
}

// Run audits what o names.
func Run(ctx context.Context, o Options) (*Report, error) {
	args := []string{"-format", "json", "-scan", "symbol"}
	if o.DB != "" {
		args = append(args, "-db", o.DB)
	}
	mode := "source"
	if o.Binary != "" {
		mode = "binary"
		args = append(args, "-mode", "binary", o.Binary)
	} else {
		if len(o.Tags) > 0 {
			args = append(args, "-tags", strings.Join(o.Tags, ","))
		}
		args = append(args, "-C", o.Dir, ".")
	}
	var stdout, stderr bytes.Buffer
	cmd := scan.Command(ctx, args...)
	cmd.Stdin = strings.NewReader("")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = o.Env
	err := cmd.Start()
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, scanError(o, err, stderr.String())
	}
	r, err := parse(&stdout)
	if err != nil {
		return nil, fmt.Errorf("reading govulncheck's findings: %w", err)
	}
	r.Mode = mode
	r.DB = o.DB
	return r, nil
}

// scanError says why a scan failed: a database that cannot be read is a
// fetch failure (exit 4) when it is remote, the user's to fix (exit 2)
// when it is a directory.
func scanError(o Options, err error, stderr string) error {
	msg := strings.TrimSpace(err.Error())
	if s := strings.TrimSpace(stderr); s != "" {
		msg = s + ": " + msg
	}
	what := "the build module " + o.Dir
	if o.Binary != "" {
		what = o.Binary
	}
	e := fmt.Errorf("auditing %s: %s", what, msg)
	if strings.Contains(msg, "creating client") || strings.Contains(msg, "vulndb") || strings.Contains(msg, "index/") {
		db := o.DB
		if db == "" {
			db = "govulncheck's default"
		}
		e = fmt.Errorf("vulnerability database %s cannot be read: %s", db, strings.TrimPrefix(msg, "creating client: "))
		if strings.HasPrefix(o.DB, "file:") {
			return fail.Wrap(fail.Config, e)
		}
		return fail.Wrap(fail.Fetch, e)
	}
	switch {
	case o.Binary != "":
		return fail.Wrap(fail.Config, e)
	}
	return e
}

// The messages of govulncheck's JSON stream (its protocol: one JSON object
// per message), as far as an audit reads them.
type message struct {
	Config *struct {
		GoVersion      string `json:"go_version"`
		DBLastModified string `json:"db_last_modified"`
	} `json:"config"`
	OSV *struct {
		ID       string   `json:"id"`
		Aliases  []string `json:"aliases"`
		Summary  string   `json:"summary"`
		Affected []struct {
			Package struct {
				Name string `json:"name"`
			} `json:"package"`
		} `json:"affected"`
	} `json:"osv"`
	Finding *struct {
		OSV          string  `json:"osv"`
		FixedVersion string  `json:"fixed_version"`
		Trace        []frame `json:"trace"`
	} `json:"finding"`
}

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
	Position *struct {
		Filename string `json:"filename"`
		Line     int    `json:"line"`
		Column   int    `json:"column"`
	} `json:"position"`
}

// parse reads govulncheck's JSON stream into a Report: one Finding per
// vulnerability and module, at the furthest level any of its findings
// reaches, with the first call path in a stable order.
func parse(r io.Reader) (*Report, error) {
	rep := &Report{Findings: []Finding{}}
	type key struct{ id, module string }
	found := map[key]*Finding{}
	type osvInfo struct {
		aliases []string
		summary string
	}
	osvs := map[string]osvInfo{}
	dec := json.NewDecoder(r)
	for {
		var m message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, err
		}
		switch {
		case m.Config != nil:
			rep.GoVersion = m.Config.GoVersion
			rep.Modified = m.Config.DBLastModified
		case m.OSV != nil:
			osvs[m.OSV.ID] = osvInfo{m.OSV.Aliases, m.OSV.Summary}
		case m.Finding != nil && len(m.Finding.Trace) > 0:
			sink := m.Finding.Trace[0]
			f := Finding{ID: m.Finding.OSV, Module: sink.Module, Version: sink.Version, Fixed: m.Finding.FixedVersion, Level: Required}
			switch {
			case sink.Function != "":
				f.Level = Called
				f.Package, f.Symbol = sink.Package, symbol(sink)
				for i := len(m.Finding.Trace) - 1; i >= 0; i-- {
					f.CallPath = append(f.CallPath, toFrame(m.Finding.Trace[i]))
				}
			case sink.Package != "":
				f.Level = Imported
				f.Package = sink.Package
			}
			k := key{f.ID, f.Module}
			if old := found[k]; old == nil || better(&f, old) {
				found[k] = &f
			}
		}
	}
	for _, f := range found {
		info := osvs[f.ID]
		f.Aliases, f.Summary = info.aliases, info.summary
		rep.Findings = append(rep.Findings, *f)
	}
	slices.SortFunc(rep.Findings, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.Module, b.Module), strings.Compare(a.ID, b.ID))
	})
	return rep, nil
}

// better reports whether f should stand for its vulnerability rather than
// old: it reaches further, or as far with a smaller symbol, or with a
// shorter call path, whatever order govulncheck emitted them in.
func better(f, old *Finding) bool {
	if f.Level != old.Level {
		return f.Level > old.Level
	}
	if c := cmp.Or(strings.Compare(f.Package, old.Package), strings.Compare(f.Symbol, old.Symbol)); c != 0 {
		return c < 0
	}
	if len(f.CallPath) != len(old.CallPath) {
		return len(f.CallPath) < len(old.CallPath)
	}
	return pathString(f.CallPath) < pathString(old.CallPath)
}

func pathString(p []Frame) string {
	var b strings.Builder
	for _, f := range p {
		b.WriteString(f.Package + "." + f.Function + " " + f.Position + "\n")
	}
	return b.String()
}

func symbol(f frame) string {
	if f.Receiver != "" {
		return strings.TrimPrefix(f.Receiver, "*") + "." + f.Function
	}
	return f.Function
}

func toFrame(f frame) Frame {
	out := Frame{Module: f.Module, Version: f.Version, Package: f.Package, Function: symbol(f)}
	if p := f.Position; p != nil && p.Filename != "" {
		out.Position = fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
	}
	return out
}
