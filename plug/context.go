package plug

import (
	"context"
	"fmt"
	"reflect"
	"slices"
)

// Context is what a plug's Init function receives: its name, its settings
// and the context Start was called with. It is also the plug's identity
// when it attaches to a hook.
type Context struct {
	ctx      context.Context
	name     string
	settings map[string]any // with every Ref read
	// unread are the problems of the Refs that could not be read, which
	// Settings reports (NewContext only: Start fails instead).
	unread []string
}

// NewContext returns the Context Start would pass to the Init function of
// the plug named name with the given settings. It is meant for a plug's own
// tests, which can call the plug's Init function directly; a core has no use
// for it. It reads the settings that are a [Ref] as Start does; those it
// cannot read are problems Settings reports. Like Configure, it panics on a
// settings value of an unsupported type, and like Start on a nil ctx.
func NewContext(ctx context.Context, name string, settings map[string]any) *Context {
	if ctx == nil {
		panic("plug.NewContext: nil context")
	}
	if err := checkSettings(settings); err != nil {
		panic(fmt.Sprintf("plug.NewContext: plug %q: %v", name, err))
	}
	resolved, unread := resolve(copySettings(settings))
	return &Context{ctx: ctx, name: name, settings: resolved, unread: unread}
}

// Name returns the plug's name.
func (c *Context) Name() string { return c.name }

// Context returns the context the core passed to Start. It carries the
// core's deadline and values, not a lifetime for the plug's own work.
func (c *Context) Context() context.Context { return c.ctx }

// Settings decodes the plug's settings into v, which must be a non-nil
// pointer to a struct (or to a map with string keys, or to an any). Fields
// without a setting keep their value, so fill v with defaults first. The
// decoding rules are in the package documentation. The error lists every
// problem, each with the path of the setting; v may be partly set when
// there is one. A plug with no settings leaves v as it is.
func (c *Context) Settings(v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("plug %q: Settings needs a non-nil pointer to a struct, got %s", c.name, typeName(v))
	}
	elem := rv.Elem()
	switch {
	case elem.Kind() == reflect.Struct,
		elem.Kind() == reflect.Map && elem.Type().Key().Kind() == reflect.String,
		elem.Kind() == reflect.Interface && elem.NumMethod() == 0:
	default:
		return fmt.Errorf("plug %q: Settings needs a non-nil pointer to a struct, got %s", c.name, typeName(v))
	}
	if len(c.settings) == 0 && len(c.unread) == 0 {
		return nil
	}
	d := decoder{problems: slices.Clone(c.unread)}
	if len(c.settings) > 0 {
		d.value("", c.settings, elem)
	}
	if len(d.problems) > 0 {
		return &SettingsError{Plug: c.name, Problems: d.problems}
	}
	return nil
}

func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}
