package plug

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Plugin describes a plug to the SDK. A plug package passes one to
// [Register] from its init function.
type Plugin struct {
	// Name is the plug's name in the plug config, unique in the binary. It
	// must match ^[a-z][a-z0-9_-]{0,62}$.
	Name string
	// Version is the plug's own version, like "v0.1.0", shown by List.
	Version string
	// Description is one line saying what the plug does, shown by List.
	Description string
	// Init starts the plug: it reads the settings and attaches to hooks. An
	// error stops Start, and with it the program.
	Init func(*Context) error
}

// Configured is one enabled plug of the plug config, as the generated main
// hands it to [Configure].
type Configured struct {
	Name    string // the plug's name, as the plug registers it
	Module  string // the Go module the plug was built from
	Version string // the resolved version of that module
	// Settings holds the plug's settings; each value is nil, bool, int64,
	// float64, string, []any or map[string]any.
	Settings map[string]any
}

// Info describes a plug compiled into the binary, as [List] reports it.
type Info struct {
	Name        string // as registered
	Version     string // as registered
	Description string // as registered
	// Module and ModuleVersion come from the plug config; they are empty for
	// a plug the config does not name.
	Module, ModuleVersion string
	// Settings is a copy of the plug's settings from the config; nil for a
	// plug the config does not name.
	Settings map[string]any
	// Configured reports whether the plug config names the plug.
	Configured bool
}

// registry is the process-wide state of the SDK. Tests in this package
// replace it to start over.
type registry struct {
	mu            sync.Mutex
	plugins       map[string]registered
	configured    []Configured // in config order; valid once configureDone
	configureDone bool
	started       bool
}

type registered struct {
	Plugin
	pkg string // the package whose init registered it, for the duplicate panic
}

var state = new(registry)

// Register makes a plug known to the SDK. It is meant to be called from the
// plug package's init function. It panics when the name is empty, invalid or
// already registered, when Init is nil, and when Start has already run: each
// is a bug the plug's author sees on the first run.
func Register(p Plugin) {
	if p.Name == "" {
		panic("plug.Register: the plugin has no name")
	}
	if !validName(p.Name) {
		panic(fmt.Sprintf("plug.Register: invalid plug name %q: want a lower-case letter, then up to 62 of a-z 0-9 _ -", p.Name))
	}
	if p.Init == nil {
		panic(fmt.Sprintf("plug.Register: plug %q has no Init function", p.Name))
	}
	pkg := callerPackage()
	s := state
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		panic(fmt.Sprintf("plug.Register: plug %q registered after plug.Start; register from an init function", p.Name))
	}
	if prev, dup := s.plugins[p.Name]; dup {
		panic(fmt.Sprintf("plug.Register: plug %q registered twice: by %s and by %s", p.Name, prev.pkg, pkg))
	}
	if s.plugins == nil {
		s.plugins = make(map[string]registered)
	}
	s.plugins[p.Name] = registered{Plugin: p, pkg: pkg}
}

// callerPackage returns the import path of the package that called
// Register, or "an unknown package".
func callerPackage() string {
	pc, _, _, ok := runtime.Caller(2)
	fn := runtime.FuncForPC(pc)
	if !ok || fn == nil {
		return "an unknown package"
	}
	// A function name is the import path, a dot, and the rest; the path's
	// last element may itself hold dots, so look after the last slash.
	name := fn.Name()
	slash := strings.LastIndexByte(name, '/')
	if dot := strings.IndexByte(name[slash+1:], '.'); dot >= 0 {
		name = name[:slash+1+dot]
	}
	return "package " + name
}

// validName reports whether name matches ^[a-z][a-z0-9_-]{0,62}$, the plug
// name pattern of the plug config.
func validName(name string) bool {
	if len(name) == 0 || len(name) > 63 || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for _, c := range []byte(name[1:]) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Configure records the enabled plugs of the plug config, in config order,
// with their settings. The generated main calls it once, before the core
// runs. It panics when called twice or after Start, and when an entry has no
// name, repeats a name, or holds a settings value of another type than nil,
// bool, int64, float64, string, []any or map[string]any: each is a bug in
// the generated code, not in the user's config.
func Configure(plugs ...Configured) {
	checked := make([]Configured, len(plugs))
	seen := make(map[string]bool, len(plugs))
	for i, c := range plugs {
		if c.Name == "" {
			panic(fmt.Sprintf("plug.Configure: entry %d has no name", i))
		}
		if seen[c.Name] {
			panic(fmt.Sprintf("plug.Configure: plug %q configured twice", c.Name))
		}
		seen[c.Name] = true
		if err := checkSettings(c.Settings); err != nil {
			panic(fmt.Sprintf("plug.Configure: plug %q: %v", c.Name, err))
		}
		c.Settings = copySettings(c.Settings)
		checked[i] = c
	}
	s := state
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.configureDone {
		panic("plug.Configure called twice")
	}
	if s.started {
		panic("plug.Configure called after plug.Start")
	}
	s.configured = checked
	s.configureDone = true
}

// entry is a plug in start order.
type entry struct {
	plugin     registered
	config     Configured
	configured bool
}

// order returns the registered plugs in start order, and the names of the
// configured plugs no package registered. The caller holds s.mu.
func (s *registry) order() (plugs []entry, missing []string) {
	done := make(map[string]bool, len(s.configured))
	for _, c := range s.configured {
		done[c.Name] = true
		p, ok := s.plugins[c.Name]
		if !ok {
			missing = append(missing, c.Name)
			continue
		}
		plugs = append(plugs, entry{plugin: p, config: c, configured: true})
	}
	var rest []string
	for name := range s.plugins {
		if !done[name] {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for _, name := range rest {
		plugs = append(plugs, entry{plugin: s.plugins[name], config: Configured{Name: name}})
	}
	return plugs, missing
}

// Start starts the plugs: it runs the Init function of every configured plug
// in config order, then of every registered plug the config does not name,
// in name order, with no settings. The core calls it once, before it does
// any work; ctx is what [Context.Context] returns to the plugs.
//
// Start fails, before any Init runs, when the config names a plug no package
// registered. It stops at the first Init that fails, or when ctx is done,
// and the error names the plug. A second call returns an error.
func Start(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	s := state
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return errors.New("plug.Start called twice")
	}
	s.started = true
	plugs, missing := s.order()
	s.mu.Unlock()

	if len(missing) > 0 {
		errs := make([]error, len(missing))
		for i, name := range missing {
			errs[i] = fmt.Errorf("plug %q is configured but not compiled in: no package registered it", name)
		}
		return errors.Join(errs...)
	}
	// Init runs without the lock held, so that it may call List.
	for _, e := range plugs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("starting plug %q: %w", e.plugin.Name, err)
		}
		c := &Context{ctx: ctx, name: e.plugin.Name, settings: e.config.Settings}
		if err := e.plugin.Init(c); err != nil {
			return &startError{plug: e.plugin.Name, err: err}
		}
	}
	return nil
}

// startError is an Init failure.
type startError struct {
	plug string
	err  error
}

func (e *startError) Error() string {
	// An Init that returns its Context's settings error as it is would
	// otherwise name the plug twice.
	if se, ok := e.err.(*settingsError); ok && se.plug == e.plug {
		return fmt.Sprintf("starting plug %q: %s", e.plug, se.problemText())
	}
	return fmt.Sprintf("starting plug %q: %v", e.plug, e.err)
}

func (e *startError) Unwrap() error { return e.err }

// List reports the plugs compiled into the binary: the configured ones in
// config order, then the others by name. It can be called at any time; a
// configured plug that no package registered is not listed (Start reports
// it).
func List() []Info {
	s := state
	s.mu.Lock()
	plugs, _ := s.order()
	s.mu.Unlock()
	infos := make([]Info, len(plugs))
	for i, e := range plugs {
		infos[i] = Info{
			Name:          e.plugin.Name,
			Version:       e.plugin.Version,
			Description:   e.plugin.Description,
			Module:        e.config.Module,
			ModuleVersion: e.config.Version,
			Settings:      copySettings(e.config.Settings),
			Configured:    e.configured,
		}
	}
	return infos
}
