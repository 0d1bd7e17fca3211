// Package plug is the contract between a core program and the plugs that
// plugctl compiles into it.
//
// A binary built by plugctl has three parties: the plugs, which register
// themselves; the generated main package, which hands over the plug config;
// and the core, which starts the plugs, calls them through hooks and stops
// them. The lifecycle is fixed:
//
//  1. Package initialisation: each plug package calls [Register] from an
//     init function, naming itself and giving an Init function and,
//     optionally, a Stop function.
//  2. The generated main calls [Configure] once with the enabled plugs of
//     the plug config, in config order, each with its module, the version
//     plugctl resolved and its settings. It then calls the core's entry
//     function.
//  3. The core calls [Start] before it does any work. Start reads the
//     settings given as references ([Ref]), then runs the Init function of
//     every configured plug in config order, then of every registered plug
//     the config does not name, in name order.
//  4. The core runs; it calls into the plugs through the [Hook] values it
//     declared, and can show what is compiled in with [List].
//  5. When it is done — its work finished, or a signal asked it to end —
//     the core calls [Stop], which runs the Stop function of every started
//     plug in the reverse of the start order.
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
// # Lifecycle
//
// Start and Stop each run once, on the goroutine that calls them, and take a
// context that must not be nil (a nil one is a bug: they panic, as the
// standard library does). Start's context is what the plugs' Init functions
// see through [Context.Context]; it carries the core's deadline and values,
// not a lifetime for the plugs' own work. A plug that opens listeners,
// files or goroutines in Init declares a Stop function that closes them.
//
// Stop stops the plugs whose Init succeeded, one at a time, last started
// first, so that a plug stops before the plugs it may depend on (those
// configured before it). Each Stop function gets Stop's context and is
// waited for only until that context is done: give Stop a deadline, and a
// plug that does not return in time is left behind, named in the error,
// and the plugs still to stop are not called. Stop collects every failure.
//
// The errors say which plug failed, for a core to act on with [errors.As]:
//
//   - [*StartError]: a plug's Init failed, its settings read at start could
//     not be read, or Start's context was done before the plug's turn;
//   - [*SettingsError]: a plug's settings do not decode or cannot be read,
//     with every problem;
//   - [*StopError]: a plug's Stop failed or did not return in time.
//
// # Versions
//
// The version [List] reports for a plug comes from the build, so that it
// cannot disagree with what was compiled in: the version plugctl resolved
// for the plug's module (from Configure), else the version the binary's
// build information ([runtime/debug.ReadBuildInfo]) records for the module
// of the package that called Register. Plugin.Version, when set, overrides
// both; leave it empty.
//
// # For core authors
//
// Call Start first thing in the entry function, and stop with the error it
// returns: it names the plug at fault. Call Stop when the core is done,
// with a deadline, also when Start failed (it stops the plugs that did
// start); stop on SIGINT and SIGTERM too (signal.NotifyContext), as the
// example core does. Declare each extension point as a
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
// match ^[a-z][a-z0-9_-]{0,62}$) and a one-line description; the version
// comes from the build. Keep init free of other work: Init is where the plug
// reads its settings with [Context.Settings] and attaches to hooks with
// [Hook.Attach]. Init runs once, on the goroutine that called Start; it
// should not block, and an error it returns stops the program before the
// core does any work. What Init opens, Stop closes: it should return once
// done or once its context is done, whichever comes first. Plug tests can
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
//
// # Settings read at start
//
// A setting whose value is a secret, or differs between the machines that
// run one binary, is written in the plug config as a reference rather than
// a value:
//
//	settings:
//	  token: {env: METRICS_TOKEN}                # an environment variable
//	  tls_key: {file: /run/secrets/tls.key}      # a file's content
//	  port: {env: METRICS_PORT, default: 9090}   # optional, with a default
//
// The binary, its SBOM and the lock hold the reference, never the value.
// The generated main hands it to Configure as a [Ref]; Start reads every
// Ref before any plug's Init runs, checks the text read against the type
// the plug's plugin.yaml declares for the setting (see [Ref.Type]) and
// hands the plug the value, so the plug decodes it as any other setting.
// An environment variable that is set, even to "", is read; a file drops
// one final newline. A reference with no default that cannot be read fails
// Start, naming the plug, the setting and the reference, never the value:
//
//	starting plug "metrics": setting "token": {env: METRICS_TOKEN} is not set, and the plug config gives no default
//
// A default of null makes the reference optional: when it cannot be read
// the plug keeps its own default. [List] shows a reference as its Ref.
package plug
