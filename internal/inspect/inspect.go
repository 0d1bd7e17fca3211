// Package inspect reads back what a binary built by plugctl contains, from
// the binary alone: the build description plugctl embeds in the generated
// main (the core, the plugs, their versions and settings digests) and the
// build information the go command records (Go version, target, build
// settings and every module with its go.sum hash).
//
// It reads ELF, PE and Mach-O files alike, so a binary built for another
// operating system can be inspected on this one.
package inspect

import (
	"bytes"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
)

// Report is what a binary says about itself.
type Report struct {
	Path string `json:"binary"`
	// Name, Core and Plugs come from the description plugctl embeds.
	Name  string             `json:"name,omitempty"`
	Core  codegen.InfoModule `json:"core"`
	Plugs []codegen.InfoPlug `json:"plugs"`
	// Profile is the core profile the build used; Order the core's
	// plugins in the order it runs them, every plug at its place, for
	// cores that keep one. Absent otherwise.
	Profile string   `json:"profile,omitempty"`
	Order   []string `json:"order,omitempty"`
	// Go is the toolchain version, Target its GOOS/GOARCH, Main the build
	// module's path, from the go command's build information.
	Go     string `json:"go,omitempty"`
	Target string `json:"target,omitempty"`
	Main   string `json:"main,omitempty"`
	// Settings are the go build settings (-tags, -ldflags, CGO_ENABLED,
	// GOAMD64, …) as recorded, sorted by key.
	Settings []Setting `json:"settings"`
	// Modules are every module linked into the binary, sorted by path.
	Modules []Module `json:"modules"`
}

// Setting is one recorded build setting.
type Setting struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Module is a module linked into the binary.
type Module struct {
	Path    string  `json:"path"`
	Version string  `json:"version"`
	Sum     string  `json:"sum,omitempty"`
	Replace *Module `json:"replace,omitempty"`
}

// readFile reads the whole file at path, refusing at once anything but a
// regular file: reading a FIFO would wait for a writer forever.
func readFile(path string) ([]byte, error) {
	f, err := files.OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// File inspects the binary at path. A missing file, a file that is not a Go
// binary and a Go binary that plugctl did not build are errors of kind
// fail.Config (exit 2): the input is wrong, not plugctl.
func File(path string) (*Report, error) {
	data, err := readFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fail.New(fail.Config, "%s: no such file", path)
		}
		return nil, fail.Wrap(fail.Config, err)
	}
	bi, err := buildinfo.Read(bytes.NewReader(data))
	if err != nil {
		return nil, fail.New(fail.Config, "%s: not a Go binary with build information (%v)", path, err)
	}
	info, ok := Embedded(data)
	if !ok {
		return nil, fail.New(fail.Config, "%s: not built by plugctl: no %q description in it (a Go binary of %s; `go version -m` lists its modules)", path, codegen.InfoMarker, bi.Path)
	}
	r := &Report{Path: path, Name: info.Name, Core: info.Core, Plugs: info.Plugs, Profile: info.Profile, Order: info.Order, Go: bi.GoVersion, Main: bi.Path, Settings: []Setting{}, Modules: []Module{}}
	if r.Plugs == nil {
		r.Plugs = []codegen.InfoPlug{}
	}
	var goos, goarch string
	for _, s := range bi.Settings {
		r.Settings = append(r.Settings, Setting{s.Key, s.Value})
		switch s.Key {
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		}
	}
	sort.SliceStable(r.Settings, func(i, j int) bool { return r.Settings[i].Key < r.Settings[j].Key })
	r.Target = goos + "/" + goarch
	for _, d := range bi.Deps {
		m := Module{Path: d.Path, Version: d.Version, Sum: d.Sum}
		if d.Replace != nil {
			m.Replace = &Module{Path: d.Replace.Path, Version: d.Replace.Version, Sum: d.Replace.Sum}
		}
		r.Modules = append(r.Modules, m)
	}
	sort.Slice(r.Modules, func(i, j int) bool { return r.Modules[i].Path < r.Modules[j].Path })
	return r, nil
}

// Embedded finds the build description plugctl put into a binary's data: the
// marker followed by one JSON object. Go strings are not terminated, so the
// JSON decoder decides where the object ends; an occurrence of the marker
// that is not followed by a valid description (plugctl's own binary holds
// the marker as a constant) is skipped.
func Embedded(data []byte) (*codegen.Info, bool) {
	marker := []byte(codegen.InfoMarker)
	for rest := data; ; {
		i := bytes.Index(rest, marker)
		if i < 0 {
			return nil, false
		}
		rest = rest[i+len(marker):]
		var info codegen.Info
		if json.NewDecoder(bytes.NewReader(rest)).Decode(&info) == nil && info.Schema == codegen.InfoSchema && info.Name != "" {
			return &info, true
		}
	}
}

// String renders r for a terminal: one fact per line, modules last.
func (r *Report) String() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "binary   %s\n", r.Path)
	fmt.Fprintf(&b, "name     %s\n", r.Name)
	fmt.Fprintf(&b, "core     %s %s%s\n", r.Core.Module, r.Core.Version, from(r.Core.Source, r.Core.Checksum))
	if r.Profile != "" {
		fmt.Fprintf(&b, "profile  %s\n", r.Profile)
	}
	fmt.Fprintf(&b, "target   %s\n", r.Target)
	fmt.Fprintf(&b, "go       %s\n", r.Go)
	fmt.Fprintf(&b, "plugs    %d\n", len(r.Plugs))
	for _, p := range r.Plugs {
		fmt.Fprintf(&b, "  %s\t%s %s%s\t%ssettings %s\n", p.Name, p.Module, p.Version, from(p.Source, p.Checksum), kind(p.Kind), p.SettingsDigest)
	}
	if len(r.Order) > 0 {
		fmt.Fprintf(&b, "order    %s\n", strings.Join(r.Order, " "))
	}
	fmt.Fprintf(&b, "settings\n")
	for _, s := range r.Settings {
		fmt.Fprintf(&b, "  %s=%s\n", s.Key, s.Value)
	}
	fmt.Fprintf(&b, "modules  %d\n", len(r.Modules))
	for _, m := range r.Modules {
		line := "  " + m.Path + " " + m.Version
		if m.Sum != "" {
			line += " " + m.Sum
		}
		if m.Replace != nil {
			line += " => " + m.Replace.Path
			if m.Replace.Version != "" {
				line += " " + m.Replace.Version
			}
			if m.Replace.Sum != "" {
				line += " " + m.Replace.Sum
			}
		}
		fmt.Fprintln(&b, line)
	}
	return b.String()
}

// kind says what a plug is to the core, when the binary records it.
func kind(k string) string {
	if k == "" {
		return ""
	}
	return "kind " + k + "\t"
}

// from says where a component came from, when the binary records it, with
// an archive's checksum: " (archive sha256:…)".
func from(source, checksum string) string {

	if source == "" {
		return ""
	}
	if checksum != "" {
		source += " " + checksum
	}
	return " (" + source + ")"
}
