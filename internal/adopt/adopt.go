// Package adopt turns a Go binary back into a plug config: what
// plugctl import writes. It reads the binary's build information
// (debug/buildinfo) and, for a binary plugctl built, the build description
// plugctl embeds (codegen.Info), and writes a plugconfig.yaml that builds
// the same program.
//
// Four kinds of binaries are told apart:
//
//	plugctl  a binary plugctl built: its description names the core, every
//	         plug with its version, import and kind, the profile and the
//	         order; the config it gives builds the same bytes when every
//	         source was a module
//	xcaddy   a binary linking Caddy (the caddy profile)
//	ocb      a binary linking the OpenTelemetry Collector (the otelcol
//	         profile)
//	go       any other Go binary; a core with a shipped profile (CoreDNS,
//	         Benthos) is named with it
//
// What the binary does not hold is marked in the config with a comment
// starting "# FILL IN:" and listed in Result.Unknown: settings values (a
// binary holds only their digest), the paths of local directories, the
// URLs of git and archive sources, and — for binaries plugctl did not
// build — which modules are plugins and which are their dependencies (the
// build information lists both alike).
package adopt

import (
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/inspect"
	"github.com/plugctl/plugctl/internal/profile"
	"github.com/plugctl/plugctl/internal/source"
)

// The kinds of binaries Read tells apart.
const (
	Plugctl = "plugctl"
	Xcaddy  = "xcaddy"
	OCB     = "ocb"
	Go      = "go"
)

// FillIn starts every comment that marks what the user must fill in.
const FillIn = "# FILL IN: "

// Result is a binary read back into a config.
type Result struct {
	// Kind is Plugctl, Xcaddy, OCB or Go.
	Kind string
	// Profile is the shipped profile of the core, "" for none.
	Profile string
	// Name is the config's name; Core and CoreVersion the core module.
	Name, Core, CoreVersion string
	// Target is the binary's os/arch (with its variant).
	Target string
	// Config is the plugconfig.yaml text.
	Config []byte
	// Unknown lists what the binary does not tell, one line each, as the
	// config's FILL IN comments say it. Empty when the config is whole.
	Unknown []string
	// Modules are the binary's modules: what a lock made from the config
	// must pin (Check).
	Modules []*debug.Module
}

// maxBinary bounds the binary read: Go binaries of a few hundred MiB exist.
const maxBinary = 1 << 30

// Read reads the binary at path. A file that is not a Go binary with build
// information is a usage error (exit 2).
func Read(path string) (*Result, error) {
	data, err := files.ReadFile(path, maxBinary)
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
	r := &Result{Modules: bi.Deps, Target: Target(bi)}
	w := &writer{}
	if info, ok := inspect.Embedded(data); ok {
		r.Kind = Plugctl
		fromInfo(r, w, info, bi)
	} else {
		fromBuildInfo(r, w, bi, path, data)
	}
	r.Unknown = w.unknown
	r.Config = w.b.Bytes()
	return r, nil
}

// writer writes the config's YAML: every string JSON-quoted, which YAML
// reads as the same string.
type writer struct {
	b       bytes.Buffer
	unknown []string
}

func (w *writer) line(indent int, format string, args ...any) {
	w.b.WriteString(strings.Repeat("  ", indent))
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteByte('\n')
}

// fill writes a FILL IN comment and lists it among the unknowns.
func (w *writer) fill(indent int, what string) {
	w.line(indent, "%s%s", FillIn, what)
	w.unknown = append(w.unknown, what)
}

func q(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func qs(list []string) string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = q(s)
	}
	return "[" + strings.Join(out, ", ") + "]"
}

// Target returns GOOS/GOARCH of bi, with the architecture's variant when
// one is recorded (platform's spelling: linux/amd64/v3, linux/arm/v6).
func Target(bi *buildinfo.BuildInfo) string {
	set := settings(bi)
	t := set["GOOS"] + "/" + set["GOARCH"]
	for _, k := range []string{"GOAMD64", "GOARM", "GOARM64", "GO386", "GOMIPS", "GOMIPS64", "GOPPC64", "GORISCV64"} {
		if v := set[k]; v != "" && !isDefaultVariant(k, v) {
			if k == "GOARM" && !strings.HasPrefix(v, "v") {
				v = "v" + strings.TrimSuffix(v, ",softfloat")
			}
			return t + "/" + v
		}
	}
	return t
}

// isDefaultVariant reports whether v is the go command's default for k,
// which a target need not name.
func isDefaultVariant(k, v string) bool {
	switch k {
	case "GOAMD64":
		return v == "v1"
	case "GOARM":
		return v == "7"
	case "GOARM64":
		return v == "v8.0"
	case "GO386":
		return v == "sse2"
	case "GOMIPS", "GOMIPS64":
		return v == "hardfloat"
	case "GOPPC64":
		return v == "power8"
	case "GORISCV64":
		return v == "rva20u64"
	}
	return false
}

func settings(bi *buildinfo.BuildInfo) map[string]string {
	m := map[string]string{}
	for _, s := range bi.Settings {
		m[s.Key] = s.Value
	}
	return m
}

// emptySettings are the settings digests of a plug that has none, as
// codegen.Describe writes them: the SHA-256 of the settings literal.
var emptySettings = map[string]bool{
	settingsDigest(map[string]any{}): true,
	settingsDigest(nil):              true,
}

func settingsDigest(v map[string]any) string {
	sum := sha256.Sum256([]byte(codegen.Literal(v)))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// fromInfo writes the config of a binary plugctl built, from its
// description.
func fromInfo(r *Result, w *writer, info *codegen.Info, bi *buildinfo.BuildInfo) {
	r.Name, r.Core, r.CoreVersion, r.Profile = info.Name, info.Core.Module, info.Core.Version, info.Profile
	w.line(0, "# Written by plugctl import from a binary plugctl built (%s %s).", info.Core.Module, info.Core.Version)
	w.line(0, "schema: 1")
	w.line(0, "name: %s", q(info.Name))
	if info.Version != "" {
		w.line(0, "version: %s", q(info.Version))
	}
	if info.Description != "" {
		w.line(0, "description: %s", q(info.Description))
	}
	w.line(0, "core:")
	w.line(1, "module: %s", q(info.Core.Module))
	w.line(1, "version: %s", q(info.Core.Version))
	writeSource(w, 1, "the core", info.Core.Source, info.Core.Checksum)
	if info.Profile != "" {
		if p := profile.ForModule(info.Core.Module); p == nil || p.Name != info.Profile {
			if profile.ByName(info.Profile) != nil {
				w.line(1, "profile: %s", q(info.Profile))
			} else {
				w.fill(1, fmt.Sprintf("the core was built with the profile %s, a file of the original project: add profile: ./path/to/it", info.Profile))
			}
		}
	} else {
		if info.Core.Main != "" {
			w.line(1, "main: %s", q(info.Core.Main))
		}
		if info.Core.Entry != "" {
			w.line(1, "entry: %s", q(info.Core.Entry))
		}
		if info.Core.Main == "" {
			w.fill(1, "the core's main package and entry (core.main, core.entry): this binary's description does not record them")
		}
	}
	plugs := map[string]bool{}
	for _, p := range info.Plugs {
		plugs[p.Name] = true
	}
	if len(info.Plugs) == 0 {
		w.line(0, "plugins: []")
	} else {
		w.line(0, "plugins:")
	}
	for _, p := range info.Plugs {
		w.line(1, "- name: %s", q(p.Name))
		w.line(2, "module: %s", q(p.Module))
		w.line(2, "version: %s", q(p.Version))
		writeSource(w, 2, fmt.Sprintf("plug %q", p.Name), p.Source, p.Checksum)
		if p.Import != "" {
			w.line(2, "import: %s", q(p.Import))
		}
		if p.Kind != "" {
			w.line(2, "kind: %s", q(p.Kind))
		}
		if i := slices.Index(info.Order, p.Name); i >= 0 {
			switch {
			case i+1 < len(info.Order) && !plugs[info.Order[i+1]]:
				w.line(2, "position: {before: %s}", q(info.Order[i+1]))
			case i > 0 && !plugs[info.Order[i-1]]:
				w.line(2, "position: {after: %s}", q(info.Order[i-1]))
			}
		}
		if !emptySettings[p.SettingsDigest] {
			w.fill(2, fmt.Sprintf("plug %q was built with settings (digest %s), which a binary never holds: add its settings", p.Name, p.SettingsDigest))
		}
	}
	writeReplaces(w, bi, info.Core.Module, info.Plugs)
	writeBuild(w, r, bi, profile.ByName(info.Profile))
}

// writeSource writes what a component's source says, when it is not a module:
// the binary keeps an archive's checksum, not its URL, and no path or
// repository.
func writeSource(w *writer, indent int, who, kind, checksum string) {
	switch source.Kind(kind) {
	case source.Local:
		w.fill(indent, who+" was built from a local directory: add source: ./path/to/it")
	case source.Git:
		w.fill(indent, who+" was built from a git repository: add source: git::URL (the version is its tag or commit)")
	case source.Archive:
		w.fill(indent, who+" was built from an archive: add source: https://URL")
		if checksum != "" {
			w.line(indent, "checksum: %s", q(checksum))
		}
	case source.Module, "":
	}
}

// writeReplaces writes the replace map the binary's modules show: a module
// replaced by another at a version, and — to fill in — one replaced by a
// directory. The core and the plugs are not among them: their sources say
// where they came from.
func writeReplaces(w *writer, bi *buildinfo.BuildInfo, core string, plugs []codegen.InfoPlug) {
	skip := map[string]bool{core: true}
	for _, p := range plugs {
		skip[p.Module] = true
	}
	var lines []string
	var dirs []string
	for _, d := range bi.Deps {
		if d.Replace == nil || skip[d.Path] {
			continue
		}
		switch {
		case isDir(d.Replace):
			dirs = append(dirs, d.Path)
		case d.Replace.Path == d.Path:
			lines = append(lines, fmt.Sprintf("%s: %s", q(d.Path), q(d.Replace.Version)))
		default:
			lines = append(lines, fmt.Sprintf("%s: %s", q(d.Path), q(d.Replace.Path+"@"+d.Replace.Version)))
		}
	}
	if len(lines) == 0 && len(dirs) == 0 {
		return
	}
	w.line(0, "replace:")
	for _, l := range lines {
		w.line(1, "%s", l)
	}
	for _, d := range dirs {
		w.fill(1, fmt.Sprintf("module %s was replaced by a local directory: add %s: ./path/to/it", d, q(d)))
	}
}

// writeBuild writes the build section: the target, and the tags and
// linker and compiler flags the binary records, when they are not those
// of the core's profile p.
func writeBuild(w *writer, r *Result, bi *buildinfo.BuildInfo, p *profile.Spec) {
	set := settings(bi)
	w.line(0, "build:")
	w.line(1, "targets: [%s]", q(r.Target))
	if tags := splitList(set["-tags"], ","); len(tags) > 0 && (p == nil || !slices.Equal(tags, p.Tags)) {
		w.line(1, "tags: %s", qs(tags))
	}
	if ld := strings.Fields(set["-ldflags"]); len(ld) > 0 && (p == nil || !slices.Equal(ld, p.Ldflags)) {
		w.line(1, "ldflags: %s", qs(ld))
	}
	if gc := set["-gcflags"]; gc != "" {
		if gc == "all=-N -l" {
			w.line(1, "debug: true")
		} else {
			w.line(1, "gcflags: %s", qs(strings.Fields(strings.TrimPrefix(gc, "all="))))
		}
	}
	if set["CGO_ENABLED"] == "1" {
		w.line(1, "cgo: true")
	}
}

func splitList(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}

// fromBuildInfo writes the config of a binary plugctl did not build: the
// core is the module of a shipped profile the binary links (Caddy, the
// Collector, CoreDNS, Benthos), else the binary's own main module; every
// other module is a candidate plug, listed for the user to keep or drop.
func fromBuildInfo(r *Result, w *writer, bi *buildinfo.BuildInfo, file string, data []byte) {
	var core *debug.Module
	var spec *profile.Spec
	for _, d := range bi.Deps {
		if p := profile.ForModule(d.Path); p != nil {
			core, spec = d, p
			break
		}
	}
	r.Kind = Go
	if spec != nil {
		r.Profile = spec.Name
		switch spec.Name {
		case "caddy":
			r.Kind = Xcaddy
		case "otelcol":
			r.Kind = OCB
		}
	}
	if core == nil {
		m := bi.Main
		core = &m
	}
	r.Name = strings.TrimSuffix(path.Base(strings.ReplaceAll(file, "\\", "/")), ".exe")
	if !source.ValidName(r.Name) {
		r.Name = "app"
	}
	r.Core, r.CoreVersion = core.Path, version(core)
	what := map[string]string{Xcaddy: "xcaddy (Caddy)", OCB: "ocb (the OpenTelemetry Collector)", Go: "go build"}[r.Kind]
	w.line(0, "# Written by plugctl import from a binary made by %s.", what)
	w.line(0, "schema: 1")
	w.line(0, "name: %s", q(r.Name))
	if r.Kind == OCB {
		w.line(0, "# The distribution's version: and description: (what --version and components say) are text in the binary that plugctl cannot find: add them if it had any.")
	}
	w.line(0, "core:")
	w.line(1, "module: %s", q(core.Path))
	if r.CoreVersion != "" {
		w.line(1, "version: %s", q(r.CoreVersion))
	} else {
		w.fill(1, "the core was built from a working tree ((devel)): add its version, or source: ./path/to/it")
	}
	if spec == nil {
		w.line(1, "main: %s", q(bi.Path))
		w.fill(1, "the core's entry (core.entry): a function of the main package that runs the program; a plain Go program has only func main, which plugctl cannot call")
	}
	defaults := map[string]bool{}
	if spec != nil {
		for _, d := range spec.Defaults {
			defaults[d.Module] = true
		}
	}
	if r.Kind == OCB {
		if comps, ok := ocbComponents(data, bi, core, spec); ok {
			writeComponents(w, comps)
			writeReplaces(w, bi, core.Path, nil)
			writeBuild(w, r, bi, spec)
			return
		}
	}
	var candidates []*debug.Module
	for _, d := range bi.Deps {
		if d.Path != core.Path && !defaults[d.Path] {
			candidates = append(candidates, d)
		}
	}
	w.line(0, "plugins: []")
	if len(candidates) > 0 {
		w.fill(0, "which of these modules are plugins: a binary's build information lists plugins and their dependencies alike; move each plugin into plugins: with a name")
		for _, d := range candidates {
			w.line(0, "#   - {name: %s, module: %s, version: %s}", q(plugName(d.Path)), q(d.Path), q(version(d)))
		}
	}
	writeReplaces(w, bi, core.Path, nil)
	writeBuild(w, r, bi, spec)
}

// version is the version a module was built at: its replacement's when
// one at a version replaced it; "" for a working tree.
func version(m *debug.Module) string {
	if m.Replace != nil && !isDir(m.Replace) {
		return m.Replace.Version
	}
	if m.Version == "(devel)" {
		return ""
	}
	return m.Version
}

// plugName suggests a plug name for a module: its last path element that
// is not a major version, lowercased, with what a name may not hold
// dropped.
func plugName(mod string) string {
	parts := strings.Split(mod, "/")
	name := parts[len(parts)-1]
	if len(parts) > 1 && len(name) > 1 && name[0] == 'v' && strings.Trim(name[1:], "0123456789") == "" {
		name = parts[len(parts)-2]
	}
	var b strings.Builder
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteRune(c)
		} else if c == '.' {
			b.WriteRune('-')
		}
	}
	s := strings.TrimLeft(b.String(), "0123456789-_")
	if s == "" {
		return "plug"
	}
	return s
}

// isDir reports whether a replacement is a directory: it has no version,
// or the go command's "(devel)".
func isDir(r *debug.Module) bool {
	return r.Version == "" || r.Version == "(devel)"
}
