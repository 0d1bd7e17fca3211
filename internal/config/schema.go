package config

import _ "embed"

//go:embed schema.json
var schemaJSON []byte

// JSONSchema returns the JSON Schema (draft 2020-12) of the plug config, for
// editors: yaml-language-server and the VS Code YAML extension use it to
// complete keys and flag mistakes as the file is typed. It checks the shape
// of the file — keys, types, names, targets, how source, version and checksum
// go together — and never rejects a file Parse accepts; Parse remains the
// authority (module paths against their versions, duplicate names and
// modules, constraints).
func JSONSchema() []byte {
	return append([]byte(nil), schemaJSON...)
}
