// Package plug is the contract between a core program and the plugs that
// plugctl compiles into it.
//
// A binary built by plugctl has three parties: the plugs, which register
// themselves; the generated main package, which hands over the plug config;
// and the core, which starts the plugs and calls them through hooks. The
// lifecycle is fixed:
//
//  1. Package initialisation: each plug package calls [Register] from an
//     init function, naming itself and giving an Init function.
//  2. The generated main calls [Configure] once with the enabled plugs of
//     the plug config, in config order, each with its settings. It then calls
//     the core's entry function.
//  3. The core calls [Start] before it does any work. Start runs the Init
//     function of every configured plug in config order, then of every
//     registered plug the config does not name, in name order.
//  4. The core runs; it calls into the plugs through the [Hook] values it
//     declared, and can show what is compiled in with [List].
//
// The generated main looks like this:
//
//	package main
//
//	import (
//		core "example.com/server/app"
//		"github.com/plugctl/plugctl/plug"
//		_ "example.com/greeter"
//	)
//
//	func main() {
//		plug.Configure(
//			plug.Configured{Name: "greeter", Module: "example.com/greeter", Version: "v0.1.0",
//				Settings: map[string]any{"greeting": "Hello", "count": int64(2)}},
//		)
//		core.Main()
//	}
//
// # For core authors
//
// Call Start first thing in the entry function, and stop with the error it
// returns: it names the plug at fault. Declare each extension point as a
// package-level [Hook] in a package the plugs can import without importing
// the whole core (a "hooks" package, say), and call [Hook.Run] where the
// extension applies; its error names the hook and the plug. Run is safe for
// concurrent use. [List] reports the plugs compiled in, for a "plugins"
// command or a version page.
//
// A core can also be run without plugctl (with go run, in its own tests):
// when Configure was never called, Start starts every registered plug with no
// settings.
//
// # For plug authors
//
// Register from init with the name the plug config uses for the plug (it must
// match ^[a-z][a-z0-9_-]{0,62}$), a version and a one-line description. Keep
// init free of other work: Init is where the plug reads its settings with
// [Context.Settings] and attaches to hooks with [Hook.Attach]. Init runs once,
// on the goroutine that called Start; it should not block, and an error it
// returns stops the program before the core does any work. Plug tests can
// call their Init function directly with a Context from [NewContext].
//
// # Ordering
//
// Configured plugs start in config order, then the unconfigured ones in name
// order. A hook runs its functions in the order they were attached, so the
// plug config decides the order in which plugs see a hook's value.
//
// # Settings
//
// Settings reach a plug as Go values, never as JSON or YAML text, so a string
// arrives byte for byte, whatever bytes it holds (invalid UTF-8, NUL,
// bidirectional controls). A settings value is one of nil, bool, int64,
// float64, string, []any and map[string]any. [Context.Settings] decodes them
// into the plug's own struct by reflection, much as encoding/json would:
//
//   - A struct field is named by its json tag, else by its Go name; a key
//     matches an exact name first, then a name that differs only in case.
//     Fields tagged json:"-" and unexported fields are never set. The fields
//     of an embedded struct are promoted as in encoding/json.
//   - A key that names no field is an error: settings are checked, not
//     ignored. A field with no key keeps the value it had, so fill the struct
//     with defaults before decoding.
//   - Integers decode into every int and uint type, with a range check;
//     integers and floats decode into float types; strings into strings,
//     into []byte (the bytes as they are), into time.Duration (parsed with
//     [time.ParseDuration], like "1.5s") and into any type whose pointer
//     implements [encoding.TextUnmarshaler] (time.Time, net/netip.Addr, …).
//   - A list decodes into a slice (replacing its default) or into an array
//     of the same length; a map decodes into a struct (merged field by field)
//     or into a map with string keys (replacing its default). Pointers are
//     allocated as needed; an any field receives a deep copy of the value.
//   - A null value sets a pointer, interface, slice or map to nil and leaves
//     any other field as it was.
//
// A decoding error names the plug and the path of the setting, and lists
// every problem found, not only the first:
//
//	plug "greeter": setting "limits.max": want int, got string "x"
//	plug "greeter": unknown setting "colour" (known: count, greeting)
//
// Several problems are joined with "; " after a single plug prefix.
package plug
