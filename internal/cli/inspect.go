package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/inspect"
)

// inspectOptions are the inputs of plugctl inspect.
type inspectOptions struct {
	*globals
	// Binary is the file to inspect; it may be built for any OS and arch.
	Binary string
}

func newCmdInspect(g *globals, runF func(context.Context, *inspectOptions) error) *cobra.Command {
	o := &inspectOptions{globals: g}
	return withExits(&cobra.Command{
		Use:   "inspect BINARY",
		Short: "Show the core, plugs, versions, settings digests and modules of a built binary",
		Long: "inspect reads a binary built by plugctl — for any operating system — and shows what is in it:\n" +
			"the core and the plugs with their versions, sources and settings digests (embedded by plugctl),\n" +
			"and the Go version, target, build settings and every module with its hash (recorded by go).\n" +
			"A file that is not a plugctl binary exits 2.",
		Example: `  plugctl inspect dist/hello
  plugctl inspect --json dist/hello_windows_amd64.exe`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Binary = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return inspectRun(cmd.Context(), o)
		},
	}, fail.Config)
}

// inspectResult is the --json document of inspect (docs/json.md).
type inspectResult struct {
	envelope
	inspect.Report
}

func inspectRun(_ context.Context, o *inspectOptions) error {
	res := &inspectResult{Report: inspect.Report{Path: o.Binary, Plugs: []codegen.InfoPlug{}, Settings: []inspect.Setting{}, Modules: []inspect.Module{}}}
	o.result = res
	r, err := inspect.File(o.Binary)
	if err != nil {
		return err
	}
	res.Report = *r
	switch {
	case o.json:
	case o.ios.OutTTY:
		printReport(o.ios.Out, r)
	default:
		// For scripts: plug rows tab-separated, digests whole.
		fmt.Fprint(o.ios.Out, r.String())
	}
	return nil
}

// printReport writes r for a person at a terminal: the columns of the plugs
// and of the modules aligned, digests shortened (--json has them whole).
func printReport(w io.Writer, r *inspect.Report) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	source := func(s, checksum string) string {
		if s == "" {
			return ""
		}
		if checksum != "" {
			s += " " + shortDigest(checksum)
		}
		return "(" + s + ")"
	}
	key := func(k string, v ...string) {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%-9s%s", k, strings.TrimSpace(strings.Join(v, " "))), " "))
	}
	key("binary", r.Path)
	key("name", r.Name)
	if r.Version != "" {
		key("version", r.Version)
	}
	if r.Description != "" {
		key("desc", r.Description)
	}
	key("core", r.Core.Module, r.Core.Version, source(r.Core.Source, r.Core.Checksum))
	if r.Profile != "" {
		key("profile", r.Profile)
	}
	if r.Embed != "" {
		key("embed", r.Embed)
	}
	key("target", r.Target)
	key("go", r.Go)
	key("plugs", strconv.Itoa(len(r.Plugs)))
	for _, p := range r.Plugs {
		cells := []string{"", p.Name, p.Module, p.Version, source(p.Source, p.Checksum)}
		if p.Kind != "" {
			cells = append(cells, "kind "+p.Kind)
		}
		row(append(cells, "settings "+shortDigest(p.SettingsDigest))...)
	}
	tw.Flush()
	if len(r.Order) > 0 {
		key("order", r.Order...)
	}
	key("settings")
	for _, s := range r.Settings {
		fmt.Fprintf(w, "  %s=%s\n", s.Key, s.Value)
	}
	key("modules", strconv.Itoa(len(r.Modules)))
	sums := false
	for _, m := range r.Modules {
		sums = sums || m.Sum != ""
	}
	for _, m := range r.Modules {
		cells := []string{"", m.Path, m.Version}
		if sums {
			cells = append(cells, shortDigest(m.Sum))
		}
		if rp := m.Replace; rp != nil {
			cells = append(cells, "=> "+strings.TrimSpace(rp.Path+" "+rp.Version+" "+shortDigest(rp.Sum)))
		}
		row(cells...)
	}
	tw.Flush()
}

// shortDigest shortens "sha256:<64 hex>" and "h1:<base64>" to their first
// twelve digits, enough to tell two apart at a glance.
func shortDigest(d string) string {
	algo, sum, ok := strings.Cut(d, ":")
	if !ok || len(sum) <= 12 {
		return d
	}
	return algo + ":" + sum[:12] + "…"
}
