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
	// Version overrides the version List reports for the plug. Leave it
	// empty: the version then comes from the build (see Info.Version), so
	// it cannot disagree with the module version plugctl resolved.
	Version string
	// Description is one line saying what the plug does, shown by List.
	Description string
	// Init starts the plug: it reads the settings and attaches to hooks. An
	// error stops Start, and with it the program.
	Init func(*Context) error
	// Stop, when set, stops the plug: it closes what Init opened (listeners,
	// files, goroutines) and returns once that is done or ctx is done.
	// [Stop] calls it once, and only when Init succeeded.
	Stop func(ctx context.Context) error
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
	Name string // as registered
	// Version is the plug's version: Plugin.Version when the plug sets one;
	// else the version plugctl resolved for the plug's module (the
	// Configured entry's); else the version the binary's build information
	// records for the module of the package that registered the plug; ""
	// when none is known (a module built as the main module, in its own
	// tests say).
	Version     string
	Description string // as registered
	// Module and ModuleVersion come from the plug config; they are empty for
	// a plug the config does not name.
	Module, ModuleVersion string
	// Settings is a copy of the plug's settings from the config; nil for a
	// plug the config does not name. A setting read at start is the [Ref]
	// the config gives, never the value read.
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
	running       []registered // the plugs whose Init succeeded, in start order
	stopped       bool
}

type registered struct {
	Plugin
	// pkg is the import path of the package whose init registered the plug
	// ("" when unknown): its module's version is the plug's, and the
	// duplicate panic names it.
	pkg string
}

// where names the package that registered p, for messages.
func (p registered) where() string {
	if p.pkg == "" {
		return "an unknown package"
	}
	return "package " + p.pkg
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
	r := registered{Plugin: p, pkg: pkg}
	if prev, dup := s.plugins[p.Name]; dup {
		panic(fmt.Sprintf("plug.Register: plug %q registered twice: by %s and by %s", p.Name, prev.where(), r.where()))
	}
	if s.plugins == nil {
		s.plugins = make(map[string]registered)
	}
	s.plugins[p.Name] = r
}

// callerPackage returns the import path of the package that called
// Register, or "" when the stack does not say.
func callerPackage() string {
	pc, _, _, ok := runtime.Caller(2)
	fn := runtime.FuncForPC(pc)
	if !ok || fn == nil {
		return ""
	}
	// A function name is the import path, a dot, and the rest; the path's
	// last element may itself hold dots, so look after the last slash.
	name := fn.Name()
	slash := strings.LastIndexByte(name, '/')
	if dot := strings.IndexByte(name[slash+1:], '.'); dot >= 0 {
		name = name[:slash+1+dot]
	}
	return name
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

// version returns the version the plug reports (Info.Version).
func (e entry) version() string {
	switch {
	case e.plugin.Version != "":
		return e.plugin.Version
	case e.config.Version != "":
		return e.config.Version
	}
	return moduleVersion(buildInfo(), e.plugin.pkg)
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
// any work; ctx is what [Context.Context] returns to the plugs. A nil ctx is
// a bug in the core: Start panics.
//
// Start fails, before any Init runs, when the config names a plug no package
// registered, and when a setting read at start (a [Ref]) cannot be read or
// is not of its type: then every such problem of every plug is reported,
// each as a [*StartError] wrapping the plug's [*SettingsError]. Otherwise it
// stops at the first Init that fails, or when ctx is done, with a
// [*StartError] naming the plug. A second call returns an error.
//
// The plugs whose Init succeeded are started whatever Start returns: call
// [Stop] to stop them, also after a failed Start.
func Start(ctx context.Context) error {
	if ctx == nil {
		panic("plug.Start: nil context")
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
	// Every setting read at start is read before any Init runs, so that a
	// missing secret leaves nothing started.
	settings := make([]map[string]any, len(plugs))
	var errs []error
	for i, e := range plugs {
		var unread []string
		settings[i], unread = resolve(e.config.Settings)
		if len(unread) > 0 {
			errs = append(errs, &StartError{Plug: e.plugin.Name, Err: &SettingsError{Plug: e.plugin.Name, Problems: unread}})
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	// Init runs without the lock held, so that it may call List.
	for i, e := range plugs {
		if err := ctx.Err(); err != nil {
			return &StartError{Plug: e.plugin.Name, Err: err}
		}
		c := &Context{ctx: ctx, name: e.plugin.Name, settings: settings[i]}
		if err := e.plugin.Init(c); err != nil {
			return &StartError{Plug: e.plugin.Name, Err: err}
		}
		s.mu.Lock()
		s.running = append(s.running, e.plugin)
		s.mu.Unlock()
	}
	return nil
}

// Stop stops the plugs Start started: it calls the Stop function of every
// plug whose Init succeeded and that has one, in the reverse of the start
// order, one at a time, so that a plug stops before the plugs started
// before it. The core calls it once, when it is done, after Start returned
// (also when Start failed). A nil ctx is a bug in the core: Stop panics.
//
// Each Stop function is given ctx and waited for until ctx is done: a plug
// still stopping then is left to finish on its own, and the plugs after it
// are not called. Every failure is reported, joined with [errors.Join], each
// as a [*StopError] naming the plug: the plug's error, or ctx's when ctx
// ended first. Stop returns an error when called before Start or twice.
func Stop(ctx context.Context) error {
	if ctx == nil {
		panic("plug.Stop: nil context")
	}
	s := state
	s.mu.Lock()
	switch {
	case !s.started:
		s.mu.Unlock()
		return errors.New("plug.Stop called before plug.Start")
	case s.stopped:
		s.mu.Unlock()
		return errors.New("plug.Stop called twice")
	}
	s.stopped = true
	running := s.running
	s.mu.Unlock()

	var errs []error
	for _, p := range slices.Backward(running) {
		if p.Stop == nil {
			continue
		}
		if err := stopOne(ctx, p.Stop); err != nil {
			errs = append(errs, &StopError{Plug: p.Name, Err: err})
		}
	}
	return errors.Join(errs...)
}

// stopOne runs stop with ctx and waits for it or for ctx, whichever comes
// first.
func stopOne(ctx context.Context, stop func(context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- stop(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		// A Stop that returned as ctx ended did finish: say what it said.
		select {
		case err := <-done:
			return err
		default:
			return ctx.Err()
		}
	}
}

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
			Version:       e.version(),
			Description:   e.plugin.Description,
			Module:        e.config.Module,
			ModuleVersion: e.config.Version,
			Settings:      copySettings(e.config.Settings),
			Configured:    e.configured,
		}
	}
	return infos
}
