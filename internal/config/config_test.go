package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/kinds"
)

// header is a valid start of a config: tests append to it, from line 4.
const header = "schema: 1\nname: app\ncore: {module: example.com/core, version: v1.0.0}\n"

// plugHeader is header plus one local plug whose settings a test appends
// from line 8, indented by six spaces.
const plugHeader = header + "plugins:\n  - name: p\n    source: ./p\n    settings:\n"

// errorTests lists invalid configs and every message Parse reports for them.
// The inputs also seed FuzzParse.
var errorTests = []struct {
	name string
	in   string
	want []string
}{
	// The top level.
	{"empty", "", []string{
		`1:1: config is empty (required keys: schema, name, core)`}},
	{"only a comment", "# nothing\n", []string{
		`1:1: config is empty (required keys: schema, name, core)`}},
	{"scalar", "hello\n", []string{
		`1:1: the config must be a mapping (valid keys: audit, build, core, description, exclude, name, plugins, policy, replace, schema, vendor, version), got "hello"`}},
	{"list", "- a\n", []string{
		`1:1: the config must be a mapping (valid keys: audit, build, core, description, exclude, name, plugins, policy, replace, schema, vendor, version), got a list`}},
	{"missing keys", "vendor: v\n", []string{
		`1:1: missing required key "schema"`,
		`1:1: missing required key "name"`,
		`1:1: missing required key "core"`}},
	{"unknown key", header + "nmae: x\n", []string{
		`4:1: unknown key "nmae", did you mean "name"? (valid keys: audit, build, core, description, exclude, name, plugins, policy, replace, schema, vendor, version)`}},
	{"duplicate key", header + "name: other\n", []string{
		`4:1: duplicate key "name" (first at 2:1)`}},
	{"null values", "schema:\nname: ~\ncore:\n", []string{
		`1:1: missing value for required key "schema" (valid: 1)`,
		`2:7: missing value for required key "name" (valid: ^[a-z][a-z0-9_-]{0,62}$)`,
		`3:1: missing value for required key "core" (valid keys: checksum, entry, imports, main, module, profile, source, template, version)`}},
	{"schema 2", strings.Replace(header, "schema: 1", "schema: 2", 1), []string{
		`1:9: unsupported schema 2 (valid: 1)`}},
	{"schema string", strings.Replace(header, "schema: 1", `schema: "1"`, 1), []string{
		`1:9: schema must be the integer 1, got "1"`}},
	{"bad name", strings.Replace(header, "name: app", "name: My App", 1), []string{
		`2:7: invalid name "My App" (valid: ^[a-z][a-z0-9_-]{0,62}$: a lowercase letter, then up to 62 lowercase letters, digits, '-' or '_')`}},
	{"name too long", strings.Replace(header, "name: app", "name: a"+strings.Repeat("b", 63), 1), []string{
		`2:7: invalid name "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"… (valid: ^[a-z][a-z0-9_-]{0,62}$: a lowercase letter, then up to 62 lowercase letters, digits, '-' or '_')`}},
	{"name number", strings.Replace(header, "name: app", "name: 1.10", 1), []string{
		`2:7: name must be a string, but YAML reads 1.10 as the number 1.1; quote it: name: "1.10"`}},
	{"name bool", strings.Replace(header, "name: app", "name: true", 1), []string{
		`2:7: name must be a string, but YAML reads true as a boolean; quote it: name: "true"`}},
	{"vendor empty", header + "vendor: ''\n", []string{
		`4:9: vendor must not be empty`}},

	// The core.
	{"core not a mapping", "schema: 1\nname: app\ncore: [x]\n", []string{
		`3:7: core must be a mapping (valid keys: checksum, entry, imports, main, module, profile, source, template, version), got a list`}},
	{"core unknown key", "schema: 1\nname: app\ncore:\n  module: example.com/core\n  version: v1.0.0\n  mian: x\n", []string{
		`6:3: core: unknown key "mian", did you mean "main"? (valid keys: checksum, entry, imports, main, module, profile, source, template, version)`,
		// The misspelt key's value is checked as main's.
		`6:9: core: main "x" is not in module "example.com/core" (valid: the module path or a package below it)`}},
	{"core version number", "schema: 1\nname: app\ncore:\n  module: example.com/core\n  version: 1.10\n", []string{
		`5:12: core: version must be a string, but YAML reads 1.10 as the number 1.1; quote it: version: "1.10"`}},
	{"core version integer", "schema: 1\nname: app\ncore:\n  module: example.com/core\n  version: 1\n", []string{
		`5:12: core: version must be a string, but YAML reads 1 as a number; quote it: version: "1"`}},
	{"core missing module and version", "schema: 1\nname: app\ncore:\n  entry: Run\n", []string{
		`4:3: core: missing required key "module" (with no source, module and version say what to fetch from the module proxy)`,
		`4:3: core: missing required key "version" (valid: an exact version like v1.2.3, a constraint like ^1.2, ~1.2.3 or >=1.0 <2, latest, or a pseudo-version)`}},
	{"core bad module", "schema: 1\nname: app\ncore: {module: acme/server, version: v1.0.0}\n", []string{
		`3:16: core: invalid module path "acme/server": missing dot in first path element`}},
	{"core main outside module", "schema: 1\nname: app\ncore: {module: example.com/core, version: v1.0.0, main: example.com/other/cmd}\n", []string{
		`3:57: core: main "example.com/other/cmd" is not in module "example.com/core" (valid: the module path or a package below it)`}},
	{"core main prefix is not a parent", "schema: 1\nname: app\ncore: {module: example.com/core, version: v1.0.0, main: example.com/corex}\n", []string{
		`3:57: core: main "example.com/corex" is not in module "example.com/core" (valid: the module path or a package below it)`}},
	{"core entry", "schema: 1\nname: app\ncore: {module: example.com/core, version: v1.0.0, entry: main}\n", []string{
		`3:58: core: entry "main" is not exported (valid: the name of an exported function of core.main, like Main)`}},
	{"core entry argument", "schema: 1\nname: app\ncore:\n  module: example.com/core\n  version: v1.0.0\n  entry: Run(context.Background(), os)\n", []string{
		`6:36: core: argument "os" is not allowed (valid arguments: a string or integer literal, true, false, context.Background(), name, version, description, embedded, or a call of an exported function of core.main)`}},
	{"core entry not a call", "schema: 1\nname: app\ncore:\n  module: example.com/core\n  version: v1.0.0\n  entry: \"a+b\"\n", []string{
		`6:10: core: entry "a+b" is not a call (valid: Name or Name(arguments), with valid arguments: a string or integer literal, true, false, context.Background(), name, version, description, embedded, or a call of an exported function of core.main)`}},
	{"core profile", "schema: 1\nname: app\ncore: {module: example.com/core, version: v1.0.0, profile: cady}\n", []string{
		`3:60: core: unknown profile "cady" (valid: benthos, caddy, coredns, otelcol, none, or the path of a profile file: ./profile.yaml); did you mean "caddy"?`}},
	{"version and description", "schema: 1\nname: app\nversion: 1.0/2\ndescription: \"a\\nb\"\ncore: {module: example.com/core, version: v1.0.0}\n", []string{
		`3:10: invalid version "1.0/2" (valid: ^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$: a letter or digit, then up to 63 letters, digits, '.', '_', '+' or '-', like 1.0.0)`,
		`4:14: description contains control character U+000A (valid: one line of text)`}},
	{"kind and position", "schema: 1\nname: app\ncore: {module: example.com/core, version: v1.0.0}\nplugins:\n" +
		"  - {name: a, module: example.com/a, version: v1.0.0, kind: Recv}\n" +
		"  - {name: b, module: example.com/b, version: v1.0.0, position: {before: x, after: y}}\n" +
		"  - {name: c, module: example.com/c, version: v1.0.0, position: {}}\n" +
		"  - {name: d, module: example.com/d, version: v1.0.0, position: {before: 'a b'}}\n" +
		"  - {name: e, module: example.com/e, version: v1.0.0, position: {behind: x}}\n", []string{
		`5:61: plug "a": invalid kind "Recv" (valid: ^[a-z][a-z0-9_]{0,30}$, one of the kinds the core's profile wires, like receiver)`,
		`6:65: plug "b": position sets both before and after (valid: one of them, naming one of the core's plugins or another plug)`,
		`7:65: plug "c": position must set before or after (valid: {before: NAME} or {after: NAME}, NAME one of the core's plugins or another plug)`,
		`8:74: plug "d": position.before: invalid plugin name "a b" (valid: ^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$)`,
		`9:66: plug "e": unknown key "behind" in position (valid keys: after, before)`}},
	{"core imports", "schema: 1\nname: app\ncore:\n  module: example.com/core\n  version: v1.0.0\n  imports: [example.com/a, \"bad path\", example.com/a, 3, '']\n", []string{
		`6:28: core: invalid import path "bad path" in imports: invalid char ' '`,
		`6:40: core: duplicate import "example.com/a" in imports (first at 6:13)`,
		`6:55: core: imports[3] must be a string, but YAML reads 3 as a number; quote it: imports[3]: "3"`,
		`6:58: core: imports[4] must not be empty (valid: a Go import path)`}},
	{"core imports not a list", "schema: 1\nname: app\ncore: {module: example.com/core, version: v1.0.0, imports: example.com/a}\n", []string{
		`3:60: core: imports must be a list of strings, got "example.com/a"`}},
	{"core version for module mismatch", "schema: 1\nname: app\ncore: {module: example.com/core/v2, version: v1.2.3}\n", []string{
		`3:46: core: version "v1.2.3" does not fit module path "example.com/core/v2": should be v2, not v1`}},

	// Plugs.
	{"plugins not a list", header + "plugins: {name: a}\n", []string{
		`4:10: plugins must be a list of plugs, got a mapping`}},
	{"plug not a mapping", header + "plugins:\n  - metrics\n", []string{
		`5:5: plugins[0]: a plug must be a mapping (valid keys: checksum, enabled, hooks, import, kind, module, name, position, replaces, settings, source, version), got "metrics"`}},
	// A misspelt key stands for the key it most likely means: no knock-on
	// "missing required key" problems, and its value is checked.
	{"misspelt source", header + "plugins:\n  - name: audit\n    sorce: ./audit\n", []string{
		`6:5: plug "audit": unknown key "sorce", did you mean "source"? (valid keys: checksum, enabled, hooks, import, kind, module, name, position, replaces, settings, source, version)`}},
	{"misspelt source checked", header + "plugins:\n  - name: audit\n    sorce: audit\n", []string{
		`6:5: plug "audit": unknown key "sorce", did you mean "source"? (valid keys: checksum, enabled, hooks, import, kind, module, name, position, replaces, settings, source, version)`,
		`6:12: plug "audit": invalid source "audit" (valid: "" for the module proxy, git::https://…, git::ssh://… or git::file://… for a git repository, an https:// or file:// URL of a .tar.gz, .tgz or .zip archive, or a local path starting with ./, ../ or /)`}},
	{"misspelt plugins", header + "plugin:\n  - name: audit\n    source: ./audit\n", []string{
		`4:1: unknown key "plugin", did you mean "plugins"? (valid keys: audit, build, core, description, exclude, name, plugins, policy, replace, schema, vendor, version)`}},
	{"misspelt required top key", "schema: 1\nnme: app\ncore: {module: example.com/core, version: v1.0.0}\n", []string{
		`2:1: unknown key "nme", did you mean "name"? (valid keys: audit, build, core, description, exclude, name, plugins, policy, replace, schema, vendor, version)`}},
	{"misspelt module", "schema: 1\nname: app\ncore: {modul: example.com/core, version: v1.0.0}\n", []string{
		`3:8: core: unknown key "modul", did you mean "module"? (valid keys: checksum, entry, imports, main, module, profile, source, template, version)`}},
	{"misspelt and present", header + "plugins:\n  - name: audit\n    source: ./audit\n    sorce: ./other\n", []string{
		`7:5: plug "audit": unknown key "sorce", did you mean "source"? (valid keys: checksum, enabled, hooks, import, kind, module, name, position, replaces, settings, source, version)`}},
	// A key near none is no guess: what the plug lacks is reported.
	{"unknown key near none", header + "plugins:\n  - name: audit\n    bogus: 1\n", []string{
		`5:5: plug "audit": missing required key "module" (with no source, module and version say what to fetch from the module proxy)`,
		`5:5: plug "audit": missing required key "version" (valid: an exact version like v1.2.3, a constraint like ^1.2, ~1.2.3 or >=1.0 <2, latest, or a pseudo-version)`,
		`6:5: plug "audit": unknown key "bogus" (valid keys: checksum, enabled, hooks, import, kind, module, name, position, replaces, settings, source, version)`}},
	{"plug unknown key", header + "plugins:\n  - name: metrics\n    source: ./m\n    sttings: {}\n", []string{
		`7:5: plug "metrics": unknown key "sttings", did you mean "settings"? (valid keys: checksum, enabled, hooks, import, kind, module, name, position, replaces, settings, source, version)`}},
	{"plug duplicate key", header + "plugins:\n  - name: metrics\n    source: ./m\n    source: ./n\n", []string{
		`7:5: plug "metrics": duplicate key "source" (first at 6:5)`}},
	{"plug missing name", header + "plugins:\n  - source: ./m\n", []string{
		`5:5: plugins[0]: missing required key "name" (valid: ^[a-z][a-z0-9_-]{0,62}$)`}},
	{"plug null name", header + "plugins:\n  - name:\n    source: ./m\n", []string{
		`5:5: plugins[0]: missing value for required key "name" (valid: ^[a-z][a-z0-9_-]{0,62}$)`}},
	{"plug bad name", header + "plugins:\n  - name: Metrics\n    source: ./m\n", []string{
		`5:11: plug "Metrics": invalid plug name "Metrics" (valid: ^[a-z][a-z0-9_-]{0,62}$: a lowercase letter, then up to 62 lowercase letters, digits, '-' or '_')`}},
	{"plug name core", header + "plugins:\n  - name: core\n    source: ./m\n", []string{
		`5:11: plugins[0]: plug name "core" is reserved for the core (choose another name)`}},
	{"plug duplicate name", header + "plugins:\n  - name: m\n    source: ./m\n  - name: m\n    source: ./n\n", []string{
		`7:11: plug "m": duplicate plug name "m" (first at 5:11)`}},
	{"plug names collide", header + "plugins:\n  - name: my-plug\n    source: ./m\n  - name: my_plug\n    source: ./n\n", []string{
		`7:11: plug "my_plug": plug name "my_plug" collides with "my-plug" at 5:11 ('-' and '_' count as the same; choose names that differ otherwise)`}},
	{"plug duplicate module", header + "plugins:\n  - {name: a, module: example.com/a, version: v1.0.0}\n  - {name: b, module: example.com/a, version: v1.0.0}\n  - {name: c, module: example.com/core, version: v1.0.0}\n", []string{
		`6:15: plug "b": duplicate module path "example.com/a" (already the module of plug "a" at 5:15)`,
		`7:15: plug "c": duplicate module path "example.com/core" (already the module of the core at 3:8)`}},
	{"plug import outside module", header + "plugins:\n  - {name: a, module: example.com/a, version: v1.0.0, import: example.com/b/plug}\n", []string{
		`5:63: plug "a": import "example.com/b/plug" is not in module "example.com/a" (valid: the module path or a package below it)`}},
	{"plug bad import", header + "plugins:\n  - {name: a, source: ./a, import: \"example.com/a/../b\"}\n", []string{
		`5:36: plug "a": invalid import path "example.com/a/../b" in import: invalid path element ".."`}},
	{"plug enabled string", header + "plugins:\n  - {name: a, source: ./a, enabled: \"no\"}\n", []string{
		`5:37: plug "a": enabled must be true or false, got "no"`}},
	{"plug enabled yes", header + "plugins:\n  - {name: a, source: ./a, enabled: yes}\n", []string{
		`5:37: plug "a": enabled must be true or false, got "yes"`}},
	{"settings not a mapping", header + "plugins:\n  - {name: a, source: ./a, settings: [1]}\n", []string{
		`5:38: plug "a": settings must be a mapping of setting name to value, got a list`}},

	// Sources and versions.
	{"module source needs version", header + "plugins:\n  - {name: a, module: example.com/a}\n", []string{
		`5:5: plug "a": missing required key "version" (valid: an exact version like v1.2.3, a constraint like ^1.2, ~1.2.3 or >=1.0 <2, latest, or a pseudo-version)`}},
	{"module source needs module", header + "plugins:\n  - {name: a, version: v1.0.0}\n", []string{
		`5:5: plug "a": missing required key "module" (with no source, module and version say what to fetch from the module proxy)`}},
	{"module version invalid", header + "plugins:\n  - {name: a, module: example.com/a, version: main}\n", []string{
		`5:47: plug "a": invalid version "main" (valid: an exact version like v1.2.3, a constraint like ^1.2, ~1.2.3 or >=1.0 <2, latest, or a pseudo-version)`}},
	{"version empty", header + "plugins:\n  - {name: a, module: example.com/a, version: ''}\n", []string{
		`5:47: plug "a": version must not be empty (valid: an exact version like v1.2.3, a constraint like ^1.2, ~1.2.3 or >=1.0 <2, latest, or a pseudo-version)`}},
	{"version leading dash", header + "plugins:\n  - {name: a, source: git::https://h.example/r.git, version: --upload-pack=x}\n", []string{
		`5:62: plug "a": invalid version "--upload-pack=x": it must not begin with '-' (valid: an exact version like v1.2.3, a constraint like ^1.2, ~1.2.3 or >=1.0 <2, latest, or a pseudo-version, or a branch, tag or commit)`}},
	{"git ref with dots", header + "plugins:\n  - {name: a, source: git::https://h.example/r.git, version: a..b}\n", []string{
		`5:62: plug "a": invalid version "a..b": a git ref cannot contain ".." (valid: an exact version like v1.2.3, a constraint like ^1.2, ~1.2.3 or >=1.0 <2, latest, or a pseudo-version, or a branch, tag or commit)`}},
	{"git ref with space", header + "plugins:\n  - {name: a, source: git::https://h.example/r.git, version: \"my branch\"}\n", []string{
		`5:62: plug "a": invalid version "my branch": a git ref cannot contain spaces or control characters (valid: an exact version like v1.2.3, a constraint like ^1.2, ~1.2.3 or >=1.0 <2, latest, or a pseudo-version, or a branch, tag or commit)`}},
	{"git ref with colon", header + "plugins:\n  - {name: a, source: git::https://h.example/r.git, version: \"HEAD:x\"}\n", []string{
		`5:62: plug "a": invalid version "HEAD:x": a git ref cannot contain any of ~^:?*[\ (valid: an exact version like v1.2.3, a constraint like ^1.2, ~1.2.3 or >=1.0 <2, latest, or a pseudo-version, or a branch, tag or commit)`}},
	{"ext source", header + "plugins:\n  - {name: a, source: \"ext::sh -c touch% /tmp/pwned\"}\n", []string{
		`5:23: plug "a": unsupported forced getter "ext::" in source (valid: git:: followed by an https://, ssh:// or file:// URL)`}},
	{"fd source", header + "plugins:\n  - {name: a, source: \"fd::3\"}\n", []string{
		`5:23: plug "a": unsupported forced getter "fd::" in source (valid: git:: followed by an https://, ssh:// or file:// URL)`}},
	{"git ext source", header + "plugins:\n  - {name: a, source: \"git::ext::sh\"}\n", []string{
		`5:23: plug "a": unsupported forced getter "ext::" in source (valid: git:: followed by an https://, ssh:// or file:// URL)`}},
	{"hg source", header + "plugins:\n  - {name: a, source: \"hg::https://h.example/r\"}\n", []string{
		`5:23: plug "a": unsupported forced getter "hg::" in source (valid: git:: followed by an https://, ssh:// or file:// URL)`}},
	{"source dash", header + "plugins:\n  - {name: a, source: -oProxyCommand=x}\n", []string{
		`5:23: plug "a": source "-oProxyCommand=x" must not begin with '-' (valid: "" for the module proxy, git::https://…, git::ssh://… or git::file://… for a git repository, an https:// or file:// URL of a .tar.gz, .tgz or .zip archive, or a local path starting with ./, ../ or /)`}},
	{"git query", header + "plugins:\n  - {name: a, source: \"git::https://h.example/r.git?sshkey=abc\"}\n", []string{
		`5:23: plug "a": git source "git::https://h.example/r.git?sshkey=abc" must not have a query string or fragment (put the branch, tag or commit in version)`}},
	{"git secret redacted", header + "plugins:\n  - {name: a, source: \"git::https://u:s3cret@h.example/r.git?ref=x\"}\n", []string{
		`5:23: plug "a": git source "git::https://REDACTED@h.example/r.git?ref=x" must not have a query string or fragment (put the branch, tag or commit in version)`}},
	{"git http", header + "plugins:\n  - {name: a, source: \"git::http://h.example/r.git\"}\n", []string{
		`5:23: plug "a": git source "git::http://h.example/r.git" must be git:: followed by an https://, ssh:// or file:// URL`}},
	{"git scp form", header + "plugins:\n  - {name: a, source: \"git::git@h.example:r.git\"}\n", []string{
		`5:23: plug "a": git source "git::git@h.example:r.git" must be git:: followed by an https://, ssh:// or file:// URL`}},
	{"git subdir escapes", header + "plugins:\n  - {name: a, source: \"git::https://h.example/r.git//a/../../b\"}\n", []string{
		`5:23: plug "a": git source "git::https://h.example/r.git//a/../../b": subdirectory "a/../../b" must not contain ".."`}},
	{"git subdir empty", header + "plugins:\n  - {name: a, source: \"git::https://h.example/r.git//\"}\n", []string{
		`5:23: plug "a": git source "git::https://h.example/r.git//": subdirectory after // must be a relative directory like //sub/dir`}},
	{"git ssh dash host", header + "plugins:\n  - {name: a, source: \"git::ssh://-oProxyCommand=x/r.git\"}\n", []string{
		`5:23: plug "a": git source "git::ssh://-oProxyCommand=x/r.git": user and host must not begin with '-'`}},
	{"git no path", header + "plugins:\n  - {name: a, source: \"git::https://h.example/\"}\n", []string{
		`5:23: plug "a": git source "git::https://h.example/" has no repository path`}},
	{"git file with host", header + "plugins:\n  - {name: a, source: \"git::file://h.example/r\"}\n", []string{
		`5:23: plug "a": git source "git::file://h.example/r": a file:// URL must have no host (valid: git::file:///abs/path)`}},
	{"archive needs checksum", header + "plugins:\n  - {name: a, source: \"https://h.example/a.tar.gz\"}\n", []string{
		`5:23: plug "a": missing required key "checksum" (an archive source needs checksum: sha256:<64 lowercase hex digits>)`}},
	{"archive bad checksum and version", header + "plugins:\n  - {name: a, source: \"https://h.example/a.zip\", version: v1.0.0, checksum: \"sha256:ABC\"}\n", []string{
		`5:59: plug "a": version is not allowed with an archive source (the checksum pins its content)`,
		`5:77: plug "a": invalid checksum "sha256:ABC" (valid: sha256:<64 lowercase hex digits>)`}},
	{"archive not an archive", header + "plugins:\n  - {name: a, source: \"https://h.example/r.git\"}\n", []string{
		`5:23: plug "a": archive source "https://h.example/r.git" must end in .tar.gz, .tgz or .zip (for a git repository write git::https://h.example/r.git)`}},
	{"archive query", header + "plugins:\n  - {name: a, source: \"https://h.example/a.zip?archive=tar\"}\n", []string{
		`5:23: plug "a": archive source "https://h.example/a.zip?archive=tar" must not have a query string or fragment`}},
	{"http source", header + "plugins:\n  - {name: a, source: \"http://h.example/a.zip\"}\n", []string{
		`5:23: plug "a": source "http://h.example/a.zip" uses plain http (valid: https:// or git::https://)`}},
	{"unknown source", header + "plugins:\n  - {name: a, source: github.com/a/b}\n", []string{
		`5:23: plug "a": invalid source "github.com/a/b" (valid: "" for the module proxy, git::https://…, git::ssh://… or git::file://… for a git repository, an https:// or file:// URL of a .tar.gz, .tgz or .zip archive, or a local path starting with ./, ../ or /)`}},
	{"local with version and checksum", header + "plugins:\n  - {name: a, source: ./a, version: v1.0.0, checksum: \"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}\n", []string{
		`5:55: plug "a": checksum is only allowed with an archive source (this source is a local directory)`}},
	{"local with a constraint", header + "plugins:\n  - {name: a, source: ./a, version: ^1.0.0}\n  - {name: b, source: ./b, module: example.com/b/v2, version: v1.0.0}\n", []string{
		`5:37: plug "a": version "^1.0.0" of a local source must be an exact version like v1.2.3: it labels the directory, which is built as it is (the version it forks)`,
		`6:63: plug "b": version "v1.0.0" does not fit module path example.com/b/v2: should be v2, not v1`}},
	{"hooks", header + "plugins:\n  - {name: a, source: ./a, hooks: yes}\n", []string{
		`5:35: plug "a": invalid hooks "yes" (valid: allow, to run the build-time hooks the plug's plugin.yaml declares under generate; left out, a plug that declares any is refused)`}},
	{"replaces", header + "plugins:\n  - {name: a, source: ./a, replaces: all}\n", []string{
		`5:38: plug "a": invalid replaces "all" (valid: inherit, to apply the replace directives of the plug's go.mod to the build; left out, they are ignored, as the go command ignores them in a dependency)`}},
	{"checksum with module", header + "plugins:\n  - {name: a, module: example.com/a, version: v1.0.0, checksum: \"sha256:00\"}\n", []string{
		`5:65: plug "a": checksum is only allowed with an archive source (this source is the module proxy)`}},

	// Replace.
	{"replace", header + "replace:\n  example.com/a: v1.2\n  example.com/b: ./b\n  bad: v1.0.0\n  example.com/c: github.com/c\n  example.com/d:\n  example.com/b: ../b\n  example.com/e/v2: v1.0.0\n", []string{
		`5:18: invalid replacement "v1.2" for "example.com/a" (valid: an exact version like v1.2.3, a fork at an exact version like example.com/fork@v1.2.3, or a local path starting with ./, ../ or /)`,
		`7:3: invalid module path "bad" in replace: missing dot in first path element`,
		`8:18: invalid replacement "github.com/c" for "example.com/c" (valid: an exact version like v1.2.3, a fork at an exact version like example.com/fork@v1.2.3, or a local path starting with ./, ../ or /)`,
		`9:3: missing replacement for "example.com/d" (valid: an exact version like v1.2.3, a fork at an exact version like example.com/fork@v1.2.3, or a local path starting with ./, ../ or /)`,
		`10:3: duplicate key "example.com/b" in replace (first at 6:3)`,
		`11:21: replacement "v1.0.0" for "example.com/e/v2": should be v2, not v1`}},
	{"replace not a mapping", header + "replace: [a]\n", []string{
		`4:10: replace must be a mapping of module path to version or local path, got a list`}},

	// Build.
	{"build unknown key", header + "build:\n  target: [linux/amd64]\n", []string{
		`5:3: unknown key "target" in build, did you mean "targets"? (valid keys: cgo, debug, embed, gcflags, ldflags, output, strict, tags, targets)`}},
	{"build targets", header + "build:\n  targets: [linux/amd64, linux/x86, lnux/arm, linux/amd64, linux]\n  output: dist/{name}_{os}_{arch}\n", []string{
		`5:26: build.targets: unknown target "linux/x86", did you mean "linux/386"? (valid linux targets: linux/386, linux/amd64, linux/arm, linux/arm64, linux/loong64, linux/mips, linux/mips64, linux/mips64le, linux/mipsle, linux/ppc64, linux/ppc64le, linux/riscv64, linux/s390x)`,
		`5:37: build.targets: unknown target "lnux/arm", did you mean "linux/arm"?`,
		`5:47: build.targets: duplicate target "linux/amd64" (first at 5:13)`,
		`5:60: build.targets: unknown target "linux" (valid linux targets: linux/386, linux/amd64, linux/arm, linux/arm64, linux/loong64, linux/mips, linux/mips64, linux/mips64le, linux/mipsle, linux/ppc64, linux/ppc64le, linux/riscv64, linux/s390x)`}},
	{"build output overwrites", header + "build:\n  targets: [linux/amd64, darwin/arm64]\n  output: dist/{name}_{os}\n", []string{
		`6:11: build.output: "dist/{name}_{os}" must contain {os} and {arch} when building 2 targets, or the artifacts would overwrite each other (valid: like dist/{name}_{os}_{arch})`}},
	{"build output placeholder", header + "build:\n  output: dist/{name}-{goos}\n", []string{
		`5:11: build.output: unknown placeholder {goos} in "dist/{name}-{goos}" (valid: {name} {os} {arch} {version})`}},
	{"build output unclosed", header + "build:\n  output: dist/{name\n", []string{
		`5:11: build.output: "dist/{name" has a '{' without '}' (valid placeholders: {name} {os} {arch} {version})`}},
	{"build output empty", header + "build:\n  output: \"\"\n", []string{
		`5:11: build.output must not be empty (valid: a file path that may use {name} {os} {arch} {version})`}},
	{"build output directory", header + "build:\n  output: dist/\n", []string{
		`5:11: build.output: "dist/" names a directory (valid: a file path like dist/{name})`}},
	{"build tags and ldflags", header + "build:\n  tags: [netgo, \"a b\", -x]\n  ldflags: -s -w\n", []string{
		`5:17: build.tags: invalid build tag "a b" (valid: letters, digits, '_' and '.')`,
		`5:24: build.tags: invalid build tag "-x" (valid: letters, digits, '_' and '.')`,
		`6:12: build.ldflags must be a list of strings, got "-s -w"`}},
	{"ldflags that write outside the build", header + "build:\n  ldflags: [-s, \"-o /etc/passwd\", -memprofile=/tmp/m, \"-X main.v=1\", -X, main.v=1, -linkmode=external]\n", []string{
		`5:17: build.ldflags[1]: -o is not allowed: it writes the binary elsewhere (use build.output or -o) (allowed: -s, -w, -X importpath.name=value, -buildid=ID, -B gobuildid|none|0xHEX, -compressdwarf=false)`,
		`5:35: build.ldflags[2]: -memprofile is not allowed: it writes a file outside the build (allowed: -s, -w, -X importpath.name=value, -buildid=ID, -B gobuildid|none|0xHEX, -compressdwarf=false)`,
		`5:70: build.ldflags[4]: -X needs its value in the same item (valid: "-X importpath.name=value")`,
		`5:74: build.ldflags[5]: "main.v=1" is not a flag (valid: one flag with its value per item: -s, -w, -X importpath.name=value, -buildid=ID, -B gobuildid|none|0xHEX, -compressdwarf=false)`,
		`5:84: build.ldflags[6]: -linkmode is not allowed: external linking runs another program (allowed: -s, -w, -X importpath.name=value, -buildid=ID, -B gobuildid|none|0xHEX, -compressdwarf=false)`}},
	{"build not a mapping", header + "build: linux\n", []string{
		`4:8: build must be a mapping (valid keys: cgo, debug, embed, gcflags, ldflags, output, strict, tags, targets), got "linux"`}},

	// Settings.
	{"settings duplicate", plugHeader + "      a: 1\n      a: 2\n      b: {c: 1, c: 2}\n", []string{
		`9:7: plug "p": duplicate setting "a" (first at 8:7)`,
		`10:17: plug "p": duplicate setting "b.c" (first at 10:11)`}},
	{"settings numbers", plugHeader + "      limits: {max: 9223372036854775808, min: -9223372036854775809}\n      big: 18446744073709551615\n      r: [.nan, -.inf, 1e400]\n", []string{
		`8:21: plug "p": setting "limits.max": integer 9223372036854775808 does not fit in int64 (valid: integers from -9223372036854775808 to 9223372036854775807; quote it to keep it a string)`,
		`8:47: plug "p": setting "limits.min": integer -9223372036854775809 does not fit in int64 (valid: integers from -9223372036854775808 to 9223372036854775807; quote it to keep it a string)`,
		`9:12: plug "p": setting "big": integer 18446744073709551615 does not fit in int64 (valid: integers from -9223372036854775808 to 9223372036854775807; quote it to keep it a string)`,
		`10:11: plug "p": setting "r[0]": .nan is not a finite number (valid: finite numbers; quote it to keep it a string)`,
		`10:17: plug "p": setting "r[1]": -.inf is not a finite number (valid: finite numbers; quote it to keep it a string)`,
		`10:24: plug "p": setting "r[2]": number 1e400 is out of range (valid: finite numbers; quote it to keep it a string)`}},
	{"settings keys", plugHeader + "      codes: {404: missing, true: yes, ~: nil}\n", []string{
		`8:15: plug "p": setting "codes.404": key 404 is not a string; quote it: "404"`,
		`8:29: plug "p": setting "codes.true": key true is not a string; quote it: "true"`,
		`8:40: plug "p": setting "codes.~": key ~ is not a string; quote it: "~"`}},
	{"settings tags", plugHeader + "      a: !!int \"3\"\n      b: !foo x\n      c: !!binary aGk=\n", []string{
		`8:10: plug "p": "3" is not a valid !!int`,
		`9:10: plug "p": unsupported tag !foo (valid: !!str, !!int, !!float, !!bool, !!null, !!map, !!seq)`,
		`10:10: plug "p": unsupported tag !!binary (valid: !!str, !!int, !!float, !!bool, !!null, !!map, !!seq)`}},
	{"settings complex key", plugHeader + "      {a: 1}: x\n", []string{
		`8:13: invalid YAML: found an invalid key for this map`}},

	// Anchors and aliases.
	{"undefined alias", header + "plugins:\n  - {name: a, source: *src}\n", []string{
		`5:23: plug "a": alias *src refers to no anchor defined before it (define &src first)`}},
	{"alias before anchor", header + "plugins:\n  - {name: a, source: *src}\n  - {name: b, source: &src ./b}\n", []string{
		`5:23: plug "a": alias *src refers to no anchor defined before it (define &src first)`}},
	{"bad merge", header + "plugins:\n  - {name: a, source: ./a, settings: {<<: [1]}}\n", []string{
		`5:44: plug "a": merge key << takes a mapping or a list of mappings, got 1 in the list`}},
	{"merged duplicate is fine, explicit is not", header + "plugins:\n  - name: a\n    source: ./a\n    settings:\n      <<: [{x: 1}, {x: 2}]\n      x: 3\n      x: 4\n", []string{
		`10:7: plug "a": duplicate setting "x" (first at 9:7)`}},

	// The file itself.
	{"syntax error", header + "plugins: [\n", []string{
		`4:10: invalid YAML: sequence end token ']' not found`}},
	{"tab indentation", "schema: 1\nname: app\ncore:\n\tmodule: example.com/core\n", []string{
		`4:1: invalid YAML: tab character in indentation (indent with spaces)`}},
	{"tab after spaces", "schema: 1\nname: app\ncore:\n  module: example.com/core\n  \tversion: v1.0.0\n", []string{
		`5:3: invalid YAML: tab character in indentation (indent with spaces)`}},
	{"NUL byte", "schema: 1\nname: a\x00\n", []string{
		`2:8: NUL byte: a config must be text (write "\0" inside double quotes for a NUL character)`}},
	{"invalid UTF-8", "schema: 1\nname: é\xff\n", []string{
		`2:8: invalid UTF-8 (byte 0xff): a config must be UTF-8 text`}},
	{"control character", "schema: 1\nname: \x1b[31mred\n", []string{
		`2:7: control character U+001B: write it as an escape inside double quotes`}},
	{"two documents", header + "---\nname: b\n", []string{
		`5:1: more than one YAML document: a config is a single mapping, without a second ---`}},
	// goccy/go-yaml v1.19.2 rejects a block scalar with an indentation
	// indicator that is followed by a blank line at the end of the file.
	{"indentation indicator before a final blank line", header + "vendor: |2\n    x\n\n", []string{
		`6:1: invalid YAML: invalid number of indent is specified in the multi-line header`}},
	{"backtick", header + "vendor: `x`\n", []string{
		"4:9: invalid YAML: '`' is a reserved character"}},
	{"too deep flow", header + "vendor: " + strings.Repeat("[", 70) + strings.Repeat("]", 70) + "\n", []string{
		`4:72: nesting deeper than 64 levels`}},
	{"too deep block", header + "vendor:\n" + deepBlock(70), []string{
		`68:127: nesting deeper than 64 levels`}},
	{"too deep settings", plugHeader + "      a: " + strings.Repeat("[", 61) + strings.Repeat("]", 61) + "\n", []string{
		`8:70: nesting deeper than 64 levels`}},
	{"too deep through alias", header + "x: &deep " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\nplugins:\n  - {name: a, source: ./a, settings: {a: " + strings.Repeat("[", 22) + "*deep" + strings.Repeat("]", 22) + "}}\n", []string{
		`4:1: unknown key "x" (valid keys: audit, build, core, description, exclude, name, plugins, policy, replace, schema, vendor, version)`,
		`6:64: plug "a": nesting deeper than 64 levels once alias *deep is expanded`}},
}

// deepBlock returns n levels of block lists, one per line.
func deepBlock(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat("  ", i) + "-\n")
	}
	return b.String()
}

func TestParseErrors(t *testing.T) {
	for _, tt := range errorTests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("plugconfig.yaml", []byte(tt.in), "/work")
			if err == nil {
				t.Fatalf("Parse succeeded, want errors:\n%s\ngot %+v", strings.Join(tt.want, "\n"), cfg)
			}
			if cfg != nil {
				t.Errorf("Parse returned a config with its errors")
			}
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = "plugconfig.yaml:" + w
			}
			if got := err.Error(); got != strings.Join(want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
			}
			if k := fail.KindOf(err); k != fail.Config {
				t.Errorf("fail.KindOf = %v, want fail.Config", k)
			}
			var errs diag.List
			if !errors.As(err, &errs) || len(errs) != len(tt.want) {
				t.Errorf("errors.As(diag.List) = %d errors, want %d", len(errs), len(tt.want))
			}
		})
	}
}

// TestParseErrorsTogether checks that a file with many problems reports all
// of them, in file order, each naming its plug.
func TestParseErrorsTogether(t *testing.T) {
	data, err := os.ReadFile("testdata/errors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse("testdata/errors.yaml", data, "/work")
	want := []string{
		`testdata/errors.yaml:1:9: unsupported schema 2 (valid: 1)`,
		`testdata/errors.yaml:2:7: invalid name "Acme" (valid: ^[a-z][a-z0-9_-]{0,62}$: a lowercase letter, then up to 62 lowercase letters, digits, '-' or '_')`,
		`testdata/errors.yaml:3:1: unknown key "nmae", did you mean "name"? (valid keys: audit, build, core, description, exclude, name, plugins, policy, replace, schema, vendor, version)`,
		`testdata/errors.yaml:6:12: core: version must be a string, but YAML reads 1.10 as the number 1.1; quote it: version: "1.10"`,
		`testdata/errors.yaml:7:10: core: entry "main" is not exported (valid: the name of an exported function of core.main, like Main)`,
		`testdata/errors.yaml:12:5: plug "metrics": unknown key "sttings", did you mean "settings"? (valid keys: checksum, enabled, hooks, import, kind, module, name, position, replaces, settings, source, version)`,
		`testdata/errors.yaml:13:11: plug "metrics": duplicate plug name "metrics" (first at 9:11)`,
		`testdata/errors.yaml:14:13: plug "metrics": unsupported forced getter "ext::" in source (valid: git:: followed by an https://, ssh:// or file:// URL)`,
		`testdata/errors.yaml:16:13: plug "geo-ip": git source "git::https://REDACTED@git.example.com/geoip.git?ref=main" must not have a query string or fragment (put the branch, tag or commit in version)`,
		`testdata/errors.yaml:17:11: plug "geo_ip": plug name "geo_ip" collides with "geo-ip" at 15:11 ('-' and '_' count as the same; choose names that differ otherwise)`,
		`testdata/errors.yaml:18:13: plug "geo_ip": missing required key "checksum" (an archive source needs checksum: sha256:<64 lowercase hex digits>)`,
		`testdata/errors.yaml:19:14: plug "geo_ip": version is not allowed with an archive source (the checksum pins its content)`,
		`testdata/errors.yaml:20:5: plugins[4]: missing required key "name" (valid: ^[a-z][a-z0-9_-]{0,62}$)`,
		`testdata/errors.yaml:20:5: plugins[4]: duplicate module path "github.com/acme/server" (already the module of the core at 5:3)`,
		`testdata/errors.yaml:21:14: plugins[4]: invalid version "-main": it must not begin with '-' (valid: an exact version like v1.2.3, a constraint like ^1.2, ~1.2.3 or >=1.0 <2, latest, or a pseudo-version)`,
		`testdata/errors.yaml:22:14: plugins[4]: enabled must be true or false, got "no"`,
		`testdata/errors.yaml:24:26: build.targets: unknown target "linux/x86", did you mean "linux/386"? (valid linux targets: linux/386, linux/amd64, linux/arm, linux/arm64, linux/loong64, linux/mips, linux/mips64, linux/mips64le, linux/mipsle, linux/ppc64, linux/ppc64le, linux/riscv64, linux/s390x)`,
		`testdata/errors.yaml:24:37: build.targets: duplicate target "linux/amd64" (first at 24:13)`,
		`testdata/errors.yaml:25:11: build.output: "dist/{name}" must contain {os} and {arch} when building 2 targets, or the artifacts would overwrite each other (valid: like dist/{name}_{os}_{arch})`,
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Error("a credential of a source URL appears in the errors")
	}
}

// validTests lists valid configs. The inputs also seed FuzzParse.
var validTests = []struct {
	name string
	in   string
	want func(*Config) any // what part of the config to compare
	is   any
}{
	{"core defaults", header, func(c *Config) any { return c.Core }, Core{
		Module: "example.com/core", Version: "v1.0.0", Main: "example.com/core", Entry: "Main",
		Pos:    Pos{Line: 3, Col: 1},
		KeyPos: map[string]Pos{"module": {Line: 3, Col: 8}, "version": {Line: 3, Col: 34}},
		ValPos: map[string]Pos{"module": {Line: 3, Col: 16}, "version": {Line: 3, Col: 43}},
	}},
	{"build defaults", header, func(c *Config) any { return c.Build }, Build{
		Targets: []platform.Target{{OS: runtime.GOOS, Arch: runtime.GOARCH}}, Output: "dist/{name}",
	}},
	// Empty tags and ldflags are set, to none: a core's profile gives none.
	{"empty lists", header + "build: {targets: [], tags: [], ldflags: []}\nplugins: []\nreplace: {}\n", func(c *Config) any { return c.Build }, Build{
		Targets: []platform.Target{{OS: runtime.GOOS, Arch: runtime.GOARCH}}, Output: "dist/{name}", Tags: []string{}, Ldflags: []string{},
	}},
	{"profile keys", "schema: 1\nname: app\nversion: 1.2.3\ndescription: Acme collector\ncore: {module: example.com/core, version: v1.0.0, profile: otelcol, entry: \"Run(context.Background(), Name(name))\"}\n" +
		"plugins:\n  - {name: a, module: example.com/a, version: v1.0.0, kind: receiver, position: {after: log}}\n", func(c *Config) any {
		return []any{c.Version, c.Description, c.Core.Profile, c.Core.Entry, c.Plugins[0].Kind, *c.Plugins[0].Position}
	}, []any{"1.2.3", "Acme collector", "otelcol", "Run(context.Background(), Name(name))", "receiver", Position{After: "log", Pos: Pos{Line: 7, Col: 81}}}},
	{"null counts as absent", header + "build:\nplugins:\nreplace:\nvendor:\n", func(c *Config) any {
		return []any{c.Build.Output, c.Plugins, c.Replace, c.Vendor}
	}, []any{"dist/{name}", []Plugin(nil), []Replace(nil), ".plugctl/vendor"}},
	{"several targets default output", header + "build: {targets: [linux/amd64, windows/arm64]}\n", func(c *Config) any { return c.Build }, Build{
		Targets: []platform.Target{{OS: "linux", Arch: "amd64"}, {OS: "windows", Arch: "arm64"}}, Output: "dist/{name}_{os}_{arch}",
	}},
	{"plug defaults", header + "plugins:\n  - name: m\n    module: example.com/m\n    version: latest\n", func(c *Config) any { return c.Plugins }, []Plugin{{
		Name: "m", Module: "example.com/m", Version: "latest", Import: "example.com/m", Enabled: true,
		Pos: Pos{Line: 5, Col: 3}, KeyPos: map[string]Pos{"name": {Line: 5, Col: 5}, "module": {Line: 6, Col: 5}, "version": {Line: 7, Col: 5}},
	}}},
	{"local plug leaves import empty", header + "plugins:\n  - {name: m, source: ../m, enabled: false}\n", func(c *Config) any { return c.Plugins }, []Plugin{{
		Name: "m", Source: "../m", Enabled: false,
		Pos: Pos{Line: 5, Col: 3}, KeyPos: map[string]Pos{"name": {Line: 5, Col: 6}, "source": {Line: 5, Col: 15}, "enabled": {Line: 5, Col: 29}},
	}}},
	{"versions", header + "plugins:\n" +
		"  - {name: a, module: example.com/a, version: v1.2.3}\n" +
		"  - {name: b, module: example.com/b, version: ^1.2}\n" +
		"  - {name: c, module: example.com/c, version: ~1.2.3}\n" +
		"  - {name: d, module: example.com/d, version: \">=1.0 <2\"}\n" +
		"  - {name: e, module: example.com/e, version: v0.0.0-20191109021931-daa7c04131f5}\n" +
		"  - {name: f, module: example.com/f, version: v2.0.0+incompatible}\n" +
		"  - {name: g, module: example.com/g/v3, version: v3.1.0}\n" +
		"  - {name: h, source: git::ssh://git@h.example/h.git, version: main}\n" +
		"  - {name: i, source: git::file:///srv/git/i.git//sub/dir, version: 0123abcdef}\n" +
		"  - {name: j, source: git::https://h.example/j.git, version: release/1.x}\n" +
		"  - {name: k, source: git::https://h.example/k.git}\n" +
		"  - {name: l, source: \"git::https://h.example/l.git\", version: \"^1.2 || ^2\"}\n",
		func(c *Config) any {
			var out []string
			for _, p := range c.Plugins {
				out = append(out, p.Version)
			}
			return out
		}, []string{"v1.2.3", "^1.2", "~1.2.3", ">=1.0 <2", "v0.0.0-20191109021931-daa7c04131f5", "v2.0.0+incompatible", "v3.1.0", "main", "0123abcdef", "release/1.x", "", "^1.2 || ^2"}},
	{"anchors, aliases and merge keys", header + "plugins:\n" +
		"  - name: a\n    source: &src ./shared\n    settings: &common {level: info, tags: [x, y]}\n" +
		"  - name: b\n    source: ./b\n    settings:\n      <<: *common\n      level: debug\n",
		func(c *Config) any { return []any{c.Plugins[0].Source, c.Plugins[0].Settings, c.Plugins[1].Settings} },
		[]any{"./shared",
			map[string]any{"level": "info", "tags": []any{"x", "y"}},
			map[string]any{"level": "debug", "tags": []any{"x", "y"}}}},
	{"replace sorted", header + "replace:\n  example.com/z: v1.0.0\n  example.com/a: ../a\n  example.com/b/v2: /abs/b\n", func(c *Config) any { return c.Replace }, []Replace{
		{Path: "example.com/a", Dir: "../a", Pos: Pos{Line: 6, Col: 3}},
		{Path: "example.com/b/v2", Dir: "/abs/b", Pos: Pos{Line: 7, Col: 3}},
		{Path: "example.com/z", Version: "v1.0.0", Pos: Pos{Line: 5, Col: 3}},
	}},
	{"local source with spaces", header + "plugins:\n  - {name: a, source: ./my plugs/a}\n", func(c *Config) any { return c.Plugins[0].Source }, "./my plugs/a"},
	{"nesting at the limit", plugHeader + "      a: " + strings.Repeat("[", 60) + strings.Repeat("]", 60) + "\n", func(c *Config) any { return c.Plugins[0].Settings != nil }, true},
	{"tags and ldflags", header + "build:\n  tags: [netgo, go1.22, a_b]\n  ldflags: [-s, -w, \"-X main.v=1\"]\n", func(c *Config) any { return c.Build }, Build{
		Targets: []platform.Target{{OS: runtime.GOOS, Arch: runtime.GOARCH}}, Output: "dist/{name}",
		Tags: []string{"netgo", "go1.22", "a_b"}, Ldflags: []string{"-s", "-w", "-X main.v=1"},
	}},
}

func TestParseValid(t *testing.T) {
	for _, tt := range validTests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("plugconfig.yaml", []byte(tt.in), "/work")
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.want(cfg); !reflect.DeepEqual(got, tt.is) {
				t.Errorf("got  %#v\nwant %#v", got, tt.is)
			}
		})
	}
}

// TestParseFull checks every field of a config that uses every key.
func TestParseFull(t *testing.T) {
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("testdata/full.yaml", data, "/work")
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		File:   "testdata/full.yaml",
		Dir:    "/work",
		Schema: 1,
		Name:   "acme-server",
		Core: Core{
			Module:  "github.com/acme/server",
			Version: "^1.4.0",
			Main:    "github.com/acme/server/cmd/app",
			Entry:   "Main",
			Imports: []string{"github.com/acme/server/std"},
			Pos:     Pos{Line: 4, Col: 1},
			KeyPos: map[string]Pos{"module": {Line: 5, Col: 3}, "version": {Line: 6, Col: 3}, "source": {Line: 7, Col: 3}, "main": {Line: 8, Col: 3},
				"entry": {Line: 9, Col: 3}, "imports": {Line: 10, Col: 3}, "template": {Line: 11, Col: 3}},
			ValPos: map[string]Pos{"module": {Line: 5, Col: 11}, "version": {Line: 6, Col: 12}, "source": {Line: 7, Col: 11}, "main": {Line: 8, Col: 9},
				"entry": {Line: 9, Col: 10}, "imports": {Line: 10, Col: 12}, "template": {Line: 11, Col: 13}},
			ImportPos: map[string]Pos{"github.com/acme/server/std": {Line: 10, Col: 13}},
		},
		Plugins: []Plugin{
			{Name: "metrics", Module: "github.com/acme/metrics", Version: "~0.3.0", Import: "github.com/acme/metrics/plug",
				Settings: map[string]any{"listen": ":9090", "sample_rate": 0.5}, Enabled: true, Pos: Pos{Line: 13, Col: 3},
				KeyPos:     map[string]Pos{"name": {Line: 13, Col: 5}, "module": {Line: 14, Col: 5}, "version": {Line: 15, Col: 5}, "import": {Line: 16, Col: 5}, "settings": {Line: 17, Col: 5}},
				SettingPos: map[string]Pos{"listen": {Line: 17, Col: 16}, "sample_rate": {Line: 17, Col: 33}}},
			{Name: "audit", Source: "./plugins/audit", Enabled: true, Pos: Pos{Line: 18, Col: 3},
				KeyPos: map[string]Pos{"name": {Line: 18, Col: 5}, "source": {Line: 19, Col: 5}}},
			{Name: "geoip", Source: "git::https://git.example.com/geoip.git", Version: "v2.1.0", Enabled: true, Pos: Pos{Line: 20, Col: 3},
				KeyPos: map[string]Pos{"name": {Line: 20, Col: 5}, "source": {Line: 21, Col: 5}, "version": {Line: 22, Col: 5}}},
			{Name: "legacy", Module: "example.com/legacy", Version: "v1.0.0", Import: "example.com/legacy", Enabled: false, Pos: Pos{Line: 23, Col: 3},
				KeyPos: map[string]Pos{"name": {Line: 23, Col: 5}, "module": {Line: 24, Col: 5}, "version": {Line: 25, Col: 5}, "enabled": {Line: 26, Col: 5}}},
			{Name: "bundle", Source: "https://example.com/dl/bundle-1.2.tar.gz",
				Checksum: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Enabled: true, Pos: Pos{Line: 27, Col: 3},
				KeyPos: map[string]Pos{"name": {Line: 27, Col: 5}, "source": {Line: 28, Col: 5}, "checksum": {Line: 29, Col: 5}}},
		},
		Replace: []Replace{
			{Path: "example.com/legacy", Dir: "../legacy", Pos: Pos{Line: 31, Col: 3}},
			{Path: "golang.org/x/text", Version: "v0.3.8", Pos: Pos{Line: 32, Col: 3}},
		},
		Build: Build{
			Targets:   []platform.Target{{OS: "linux", Arch: "amd64"}, {OS: "darwin", Arch: "arm64"}},
			Output:    "dist/{name}_{os}_{arch}",
			Tags:      []string{"netgo", "osusergo"},
			Ldflags:   []string{"-s", "-w"},
			OutputPos: Pos{Line: 35, Col: 11},
		},
		Vendor: "third_party/vendor",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if e := got.Enabled(); len(e) != 4 || e[3].Name != "bundle" {
		t.Errorf("Enabled() = %v, want the 4 plugs other than legacy", e)
	}
	var gotKinds []source.Kind
	for _, p := range got.Plugins {
		k, _ := kinds.Classify(p.Source)
		gotKinds = append(gotKinds, k.Kind())
	}
	if want := []source.Kind{source.Module, source.Local, source.Git, source.Module, source.Archive}; !reflect.DeepEqual(gotKinds, want) {
		t.Errorf("kinds = %v, want %v", gotKinds, want)
	}
	if p := got.OutputPath(platform.Target{OS: "linux", Arch: "amd64"}, "v1.4.2"); p != "dist/acme-server_linux_amd64" {
		t.Errorf("OutputPath = %q", p)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plugconfig.yaml")
	if err := os.WriteFile(path, []byte(header), 0o666); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.File != path || cfg.Dir != dir {
		t.Errorf("File, Dir = %q, %q; want %q, %q", cfg.File, cfg.Dir, path, dir)
	}

	t.Run("missing file", func(t *testing.T) {
		_, err := Load(filepath.Join(dir, "nope.yaml"))
		if err == nil || !strings.HasPrefix(err.Error(), "reading config: open ") || fail.KindOf(err) != fail.Config {
			t.Errorf("Load = %v (kind %v), want a fail.Config \"reading config: open ...\"", err, fail.KindOf(err))
		}
		if errors.As(err, &diag.List{}) {
			t.Errorf("a missing file is not a config problem with a position")
		}
	})
	t.Run("directory", func(t *testing.T) {
		_, err := Load(dir)
		if err == nil || !strings.HasPrefix(err.Error(), "reading config: ") || fail.KindOf(err) != fail.Config {
			t.Errorf("Load = %v, want a fail.Config \"reading config: ...\"", err)
		}
	})
	t.Run("too large", func(t *testing.T) {
		big := filepath.Join(dir, "big.yaml")
		if err := os.WriteFile(big, []byte(header+strings.Repeat("#", 2*MaxFileSize)), 0o666); err != nil {
			t.Fatal(err)
		}
		_, err := Load(big)
		if want := big + ":1:1: file is larger than 1048576 bytes (1 MiB)"; err == nil || err.Error() != want {
			t.Errorf("Load = %v, want %s", err, want)
		}
	})
}

func TestErrorsAPI(t *testing.T) {
	_, err := Parse("c.yaml", []byte(header+"plugins:\n  - {name: m, source: ./m, sttings: {}}\nnmae: x\n"), "/")
	var errs diag.List
	if !errors.As(err, &errs) || len(errs) != 2 {
		t.Fatalf("errors.As(%v, *diag.List) = %v", err, errs)
	}
	var first *diag.Problem
	if !errors.As(err, &first) || first != errs[0] {
		t.Errorf("errors.As(err, **diag.Problem) = %v, want the first problem", first)
	}
	want := diag.Problem{File: "c.yaml", Pos: Pos{Line: 5, Col: 28}, Subject: "m", Msg: `unknown key "sttings", did you mean "settings"? (valid keys: checksum, enabled, hooks, import, kind, module, name, position, replaces, settings, source, version)`}
	if *errs[0] != want {
		t.Errorf("errs[0] = %#v, want %#v", *errs[0], want)
	}
}
