package plug

import (
	"context"
	"fmt"
	"sync"
)

// Hook is an extension point a core declares and plugs attach to: a chain of
// functions that each receive a value of type T and return it, changed or
// not, to the next. A core declares its hooks as package-level variables,
// in a package its plugs can import:
//
//	var Greet = plug.NewHook[Greeting]("greet")
//
// Plugs attach from their Init function; the core calls Run. Run is safe
// for concurrent use, also with Attach.
type Hook[T any] struct {
	name string
	mu   sync.RWMutex
	fns  []hookFunc[T]
}

type hookFunc[T any] struct {
	plug string
	fn   func(context.Context, T) (T, error)
}

// NewHook returns a hook with no functions attached. The name appears in
// Run's errors. NewHook panics on an empty name.
func NewHook[T any](name string) *Hook[T] {
	if name == "" {
		panic("plug.NewHook: the hook has no name")
	}
	return &Hook[T]{name: name}
}

// Name returns the hook's name.
func (h *Hook[T]) Name() string { return h.name }

// Attach adds fn to the end of the hook's chain on behalf of the plug c
// belongs to. Plugs attach from Init, and Start runs Init in config order,
// so the plug config decides the order of the chain. A plug may attach more
// than one function. Attach panics when c or fn is nil.
func (h *Hook[T]) Attach(c *Context, fn func(context.Context, T) (T, error)) {
	if c == nil {
		panic(fmt.Sprintf("plug: Attach to hook %q needs the *Context passed to Init", h.name))
	}
	if fn == nil {
		panic(fmt.Sprintf("plug: plug %q attached a nil function to hook %q", c.name, h.name))
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fns = append(h.fns, hookFunc[T]{plug: c.name, fn: fn})
}

// Run passes v through the attached functions in order, each receiving what
// the previous one returned, and returns what the last one returned; with
// nothing attached it returns v. Before each function it checks ctx. It
// stops at the first error, returned as `hook "NAME": plug "PLUG": ERR` (or
// `hook "NAME": ERR` for a done ctx) and wrapping ERR, together with the
// value the failing function was given. A nil ctx is a bug: Run panics.
func (h *Hook[T]) Run(ctx context.Context, v T) (T, error) {
	if ctx == nil {
		panic(fmt.Sprintf("plug: Run of hook %q: nil context", h.name))
	}
	h.mu.RLock()
	fns := h.fns
	h.mu.RUnlock()
	// Attach only appends, so the snapshot's elements never change.
	for _, f := range fns {
		if err := ctx.Err(); err != nil {
			return v, fmt.Errorf("hook %q: %w", h.name, err)
		}
		out, err := f.fn(ctx, v)
		if err != nil {
			return v, fmt.Errorf("hook %q: plug %q: %w", h.name, f.plug, err)
		}
		v = out
	}
	return v, nil
}

// Plugs returns the names of the plugs attached to the hook, in run order,
// one per attached function.
func (h *Hook[T]) Plugs() []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	names := make([]string, len(h.fns))
	for i, f := range h.fns {
		names[i] = f.plug
	}
	return names
}
