// Package config reads and validates the plug config, plugconfig.yaml (the
// configuration reference, docs/config.md, documents it for users).
//
// # File
//
// A config is one YAML document, read by yamlsrc, plugctl's one YAML front
// end, under the rules every YAML document of plugctl follows: at most
// MaxFileSize bytes of UTF-8 text; a leading byte order mark dropped and CR
// LF read as LF, so that positions are those an editor shows (1-based lines
// and 1-based columns counted in characters); NUL, a lone CR, other control
// characters (tab and line feed aside) and invalid UTF-8 refused; a tab in
// indentation an error, as YAML requires; nesting, keys and tokens bounded
// (yamlsrc.MaxDepth, yamlsrc.MaxKeys, yamlsrc.MaxTokens). Scalars are typed
// by the YAML 1.2 core schema: yes/no/on/off are strings, 1e3 is a number.
// Unlike a manifest, a config may use anchors, aliases and merge keys (<<),
// expanding to at most yamlsrc.MaxAliasValues values and counted where used
// for the nesting limit, and the tags !!str, !!int, !!float, !!bool, !!null,
// !!map and !!seq; no other. A key whose value is null (`key:` or `key: ~`)
// counts as absent, except inside settings.
//
// # Schema
//
// The top-level mapping has the keys
//
//	schema      required; the integer 1
//	name        required; the artifact name, matching source.NamePattern
//	version     the distribution's own version, matching VersionPattern
//	description one line saying what it is (no control characters)
//	core        required; a mapping, see below
//	plugins     a list of plugs, see below
//	replace     a mapping of module path to an exact version (v1.2.3), a fork
//	            (another module at an exact version: example.com/fork@v1.2.3)
//	            or a local directory (./dir, ../dir or /dir)
//	exclude     a list of module@version (exact versions) the build module
//	            excludes
//	build       a mapping: targets (list of os/arch, default the host),
//	            output (default DefaultOutput, DefaultMultiOutput for several
//	            targets), tags (build tags), ldflags (strings); tags and
//	            ldflags left out are nil (a core profile may give some), set
//	            to [] they are empty; strict (a boolean: a module the core
//	            requires that a plug raises is an error, not a warning);
//	            gcflags (compiler flags, as internal/ldflags allows them);
//	            debug (a boolean: -N -l, symbols kept); cgo (a boolean:
//	            CGO_ENABLED=1); embed (a directory below the config
//	            file's whose files the binary embeds: filepath.IsLocal,
//	            not "."; core.entry's embedded needs it)
//	vendor      the vendor tree's directory, default DefaultVendor
//
// The core has the keys module, version, source, checksum (see Origins),
// main (an import path inside module; default module), entry (the call the
// generated main makes: an exported function's name or a call of
// internal/entry's syntax; default "Main"), imports (import paths to
// blank-import), template (a path) and profile (none, a profile shipped
// with plugctl or the path of a profile file: internal/profile). A plug
// has the keys name (required; matching source.NamePattern, not "core",
// unique, and unique once '-' and '_' are taken as the same character),
// module, version, source, checksum (see Origins), import (an import path
// inside module; default module, left empty when module is, for the
// resolver to fill), settings (a mapping), enabled (a boolean, default
// true), kind (what the plug is to a core whose profile wires kinds),
// position ({before: NAME} or {after: NAME}, for a core that runs its
// plugins in order), replaces (inherit: the replace directives of the
// plug's go.mod apply to the build) and hooks (allow: the build-time hooks
// its plugin.yaml declares may run). Whether a kind and a position fit the core is known
// once the core is resolved: the profile package checks them. Module paths
// are unique among the core and the plugs. Unknown and duplicate keys are errors at every level, settings
// included.
//
// # Origins
//
// The source kinds (internal/source/kinds) classify source and own the
// rules of module, version, source and checksum; the config reports their
// problems at their positions:
//
//	""                      the module proxy: module and version required
//	git::https://URL        a git repository, also git::ssh:// and git::file://;
//	                        a //sub/dir suffix names a directory in it;
//	                        version optional (default branch when absent)
//	https:// or file:// URL an archive ending .tar.gz, .tgz or .zip; no version;
//	                        checksum: sha256:<64 lowercase hex> required
//	./dir ../dir /dir       a local directory; no checksum; version only as a
//	                        label: an exact version fitting the module path
//
// Sources must not begin with '-', hold spaces or control characters, force a
// go-getter getter other than git::, or carry a query string or fragment. A
// version must be a YAML string (version: 1.10 is the number 1.1 to YAML and
// an error): an exact version, a pseudo-version, a Masterminds/semver
// constraint (^1.2, ~1.2.3, >=1.0 <2) or latest; for git also a branch, tag or
// commit, checked against git's ref rules. No version may begin with '-'.
//
// # Settings
//
// A plug's settings become a map[string]any whose values are nil, bool,
// int64, float64, string, []any or map[string]any. Strings arrive exactly as
// YAML decodes them, escapes such as "\x00" and "\u202e" included. Integers
// beyond int64, NaN and infinities, and keys that are not strings are errors
// naming the setting's path (limits.max, hosts[2]).
//
// A setting's whole value may instead be a reference the program reads when
// the plug starts (internal/setting): a mapping with an env or a file key,
// which is then always a reference, and an optional default. Its shape is
// checked here: env or file, not both; env an environment variable name,
// file a path with no control characters; no other key; a default that is
// a valid value. Its type is the plug manifest's, checked by the SDK once
// the value is read. Below the top level such a mapping stays a mapping.
//
// Warnings lists what is valid but unwise: a setting whose name looks like
// a secret given as a literal, which the binary would hold.
//
// # Errors
//
// Parse reports every problem of a file at once, as a diag.List sorted by
// position, each printing file:line:col, the plug or core concerned and what
// would be valid. Credentials in source URLs never appear in messages.
package config
