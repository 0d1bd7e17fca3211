package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/archive"
)

// The JSON Schema is tested three ways, with no JSON Schema library: its key
// lists, target list and patterns are compared with the ones Parse uses, so
// the two cannot drift apart; a small checker for exactly the keywords the
// schema uses (the test fails if the schema starts using another) runs it
// over valid and invalid configs; and every verdict is compared with
// Parse's, so that the schema never rejects a file Parse accepts and catches
// the mistakes it is meant to catch.

func loadSchema(t *testing.T) map[string]any {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal(JSONSchema(), &s); err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	return s
}

// at follows a path of object keys through the schema.
func at(t *testing.T, s map[string]any, path ...string) any {
	t.Helper()
	var v any = s
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("schema: %s is not an object", strings.Join(path, "."))
		}
		v = m[k]
	}
	return v
}

func keysOf(t *testing.T, s map[string]any, path ...string) []string {
	t.Helper()
	m, ok := at(t, s, path...).(map[string]any)
	if !ok {
		t.Fatalf("schema: %s is not an object", strings.Join(path, "."))
	}
	return slices.Sorted(maps.Keys(m))
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestSchemaMatchesParser(t *testing.T) {
	s := loadSchema(t)
	if got := s["$schema"]; got != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v, want draft 2020-12", got)
	}
	checks := []struct {
		name string
		got  []string
		want []string
	}{
		{"top-level keys", keysOf(t, s, "properties"), topKeys},
		{"required top-level keys", strs(s["required"]), requiredTop},
		{"core keys", keysOf(t, s, "properties", "core", "properties"), coreKeys},
		{"plug keys", keysOf(t, s, "$defs", "plug", "properties"), plugKeys},
		{"build keys", keysOf(t, s, "properties", "build", "properties"), buildKeys},
		{"targets", strs(at(t, s, "$defs", "target", "enum")), targetNames()},
	}
	for _, c := range checks {
		a, b := slices.Sorted(slices.Values(c.got)), slices.Sorted(slices.Values(c.want))
		if !slices.Equal(a, b) {
			t.Errorf("%s: schema has %q, parser has %q", c.name, a, b)
		}
	}
	patterns := []struct {
		name string
		got  any
		want string
	}{
		{"name", at(t, s, "$defs", "name", "pattern"), source.NamePattern},
		{"checksum", at(t, s, "$defs", "checksum", "pattern"), archive.ChecksumPattern},
		{"build tag", at(t, s, "properties", "build", "properties", "tags", "items", "pattern"), buildTagRE.String()},
		{"version", at(t, s, "properties", "version", "pattern"), VersionPattern},
		{"kind", at(t, s, "$defs", "plug", "properties", "kind", "pattern"), kindRE.String()},
		{"position before", at(t, s, "$defs", "plug", "properties", "position", "properties", "before", "pattern"), anchorRE.String()},
		{"position after", at(t, s, "$defs", "plug", "properties", "position", "properties", "after", "pattern"), anchorRE.String()},
	}
	for _, p := range patterns {
		if p.got != p.want {
			t.Errorf("%s pattern: schema has %v, parser has %s", p.name, p.got, p.want)
		}
	}
}

// keywords are the JSON Schema keywords the checker below implements, or
// that are annotations with nothing to check.
var keywords = map[string]bool{
	"$schema": true, "$id": true, "title": true, "description": true, "examples": true, "$defs": true,
	"type": true, "const": true, "enum": true, "pattern": true, "minLength": true,
	"properties": true, "required": true, "additionalProperties": true, "propertyNames": true,
	"items": true, "uniqueItems": true, "$ref": true, "allOf": true, "anyOf": true, "if": true, "then": true, "not": true,
}

// TestSchemaKeywords makes sure the checker knows every keyword the schema
// uses: a keyword it skipped would make the tests below pass for nothing.
func TestSchemaKeywords(t *testing.T) {
	var walk func(path string, s any)
	walk = func(path string, s any) {
		m, ok := s.(map[string]any)
		if !ok {
			if _, isBool := s.(bool); !isBool {
				t.Errorf("%s: a schema must be an object or a boolean, got %T", path, s)
			}
			return
		}
		for k, v := range m {
			if !keywords[k] {
				t.Errorf("%s: keyword %q is not implemented by the test checker", path, k)
			}
			switch k {
			case "properties", "$defs":
				for name, sub := range v.(map[string]any) {
					walk(path+"/"+k+"/"+name, sub)
				}
			case "items", "additionalProperties", "propertyNames", "if", "then", "not":
				walk(path+"/"+k, v)
			case "allOf", "anyOf":
				for i, sub := range v.([]any) {
					walk(fmt.Sprintf("%s/%s/%d", path, k, i), sub)
				}
			case "pattern":
				if _, err := regexp.Compile(v.(string)); err != nil {
					t.Errorf("%s: pattern: %v", path, err)
				}
			}
		}
	}
	walk("#", loadSchema(t))
}

// checker validates a JSON value against the schema, for the keywords above.
type checker2020 struct {
	root map[string]any
}

func (c *checker2020) errors(schema, v any, path string) []string {
	if b, ok := schema.(bool); ok {
		if !b {
			return []string{path + ": not allowed"}
		}
		return nil
	}
	s := schema.(map[string]any)
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	if ref, ok := s["$ref"].(string); ok {
		name, ok := strings.CutPrefix(ref, "#/$defs/")
		if !ok {
			panic("unsupported $ref " + ref)
		}
		errs = append(errs, c.errors(c.root["$defs"].(map[string]any)[name], v, path)...)
	}
	if ty, ok := s["type"]; ok {
		types, isList := ty.([]any)
		if !isList {
			types = []any{ty}
		}
		if !slices.ContainsFunc(types, func(t any) bool { return hasType(v, t.(string)) }) {
			fail("%s is not of type %v", show(v), ty)
			return errs // the other keywords would only repeat the problem
		}
	}
	if cv, ok := s["const"]; ok && !reflect.DeepEqual(v, cv) {
		fail("%s is not %v", show(v), cv)
	}
	if ev, ok := s["enum"]; ok && !slices.ContainsFunc(ev.([]any), func(e any) bool { return reflect.DeepEqual(e, v) }) {
		fail("%s is not one of the allowed values", show(v))
	}
	if str, ok := v.(string); ok {
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			fail("%s does not match %s", show(v), p)
		}
		if n, ok := s["minLength"].(float64); ok && float64(len([]rune(str))) < n {
			fail("%s is shorter than %v", show(v), n)
		}
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if sub, ok := props[k]; ok {
				errs = append(errs, c.errors(sub, obj[k], path+"."+k)...)
			} else if ap, ok := s["additionalProperties"]; ok {
				if ap == false {
					fail("unknown key %q", k)
				} else {
					errs = append(errs, c.errors(ap, obj[k], path+"."+k)...)
				}
			}
			if pn, ok := s["propertyNames"]; ok {
				errs = append(errs, c.errors(pn, k, path+" key "+k)...)
			}
		}
		if req, ok := s["required"].([]any); ok {
			for _, k := range req {
				if _, ok := obj[k.(string)]; !ok {
					fail("missing required key %q", k)
				}
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if items, ok := s["items"]; ok {
			for i, it := range arr {
				errs = append(errs, c.errors(items, it, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
		if s["uniqueItems"] == true {
			for i := range arr {
				for j := range i {
					if reflect.DeepEqual(arr[i], arr[j]) {
						fail("items %d and %d are equal", j, i)
					}
				}
			}
		}
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			errs = append(errs, c.errors(sub, v, path)...)
		}
	}
	if anyOf, ok := s["anyOf"].([]any); ok {
		// None matching is the first one's problems.
		var first []string
		for i, sub := range anyOf {
			e := c.errors(sub, v, path)
			if len(e) == 0 {
				first = nil
				break
			}
			if i == 0 {
				first = e
			}
		}
		errs = append(errs, first...)
	}
	if cond, ok := s["if"]; ok && len(c.errors(cond, v, path)) == 0 {
		if then, ok := s["then"]; ok {
			errs = append(errs, c.errors(then, v, path)...)
		}
	}
	if not, ok := s["not"]; ok && len(c.errors(not, v, path)) == 0 {
		fail("%s is not allowed", show(v))
	}
	return errs
}

func hasType(v any, t string) bool {
	switch t {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	}
	panic("unknown type " + t)
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// checkYAML validates a YAML config against the schema.
func checkYAML(t *testing.T, data []byte) []string {
	t.Helper()
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatalf("YAMLToJSON: %v", err)
	}
	var v any
	if err := json.Unmarshal(j, &v); err != nil {
		t.Fatalf("decoding %s: %v", j, err)
	}
	s := loadSchema(t)
	return (&checker2020{root: s}).errors(s, v, "$")
}

func TestSchemaAcceptsValidConfigs(t *testing.T) {
	// starter.yaml is what plugctl init writes (internal/cli keeps it so).
	files := []string{"../../plugconfig.example.yaml", "testdata/full.yaml", "testdata/starter.yaml"}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Parse(f, data, "/work"); err != nil {
				t.Fatalf("Parse rejects it: %v", err)
			}
			if errs := checkYAML(t, data); len(errs) > 0 {
				t.Errorf("schema rejects a valid config:\n%s", strings.Join(errs, "\n"))
			}
		})
	}
	snippets := []struct{ name, yaml string }{
		{"minimal module core", "schema: 1\nname: a\ncore: {module: example.com/core, version: v1.0.0}\n"},
		{"nulls count as absent", "schema: 1\nname: a\ncore:\n  module: example.com/core\n  version: ^1.2\n  source: \"\"\n  main:\n  entry: ~\n  imports:\n  template:\nplugins:\nreplace:\nbuild:\nvendor:\n"},
		{"every source kind", `schema: 1
name: a
core: {source: ../core, main: example.com/core/cmd, entry: Execute}
plugins:
  - {name: m, module: gopkg.in/yaml.v3, version: latest, import: gopkg.in/yaml.v3}
  - {name: g, source: "git::ssh://git@example.com/org/repo.git//sub/dir", version: main}
  - {name: g2, source: "git::file:///srv/repo.git", version: ">=1.0 <2"}
  - {name: z, source: "file:///tmp/p.zip", checksum: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
  - {name: l, source: "/abs/dir with space", enabled: false, settings: {a: [1, {b: null}]}}
  - {name: dot, source: .}
`},
		{"profiles", `schema: 1
name: acme-col
version: 0.1.0-dev
description: "Acme's collector: receivers and exporters"
core: {module: go.opentelemetry.io/collector/otelcol, version: v0.165.0, profile: otelcol, entry: "RunCLI(context.Background(), SetName(name), 1, \"x\")"}
plugins:
  - {name: otlp, module: go.opentelemetry.io/collector/receiver/otlpreceiver, version: v0.165.0, kind: receiver}
  - {name: hello, source: ./hello, position: {before: forward}}
  - {name: bye, source: ./bye, position: {after: hello}, kind: null}
`},
		{"build and replace", "schema: 1\nname: a\ncore: {module: go.k6.io/k6, version: v1.0.0, main: go.k6.io/k6/cmd}\nreplace: {example.com/x: ./x, example.com/y: v1.2.3-0.20240101000000-abcdefabcdef, example.com/z: ..}\nbuild: {targets: [linux/amd64, windows/arm64], output: \"out/{name}-{version}_{os}_{arch}\", tags: [netgo, a.b], ldflags: [-s, \"-X main.v=1\"]}\n"},
	}
	for _, sn := range snippets {
		t.Run(sn.name, func(t *testing.T) {
			if _, err := Parse("plugconfig.yaml", []byte(sn.yaml), "/work"); err != nil {
				t.Fatalf("Parse rejects it: %v", err)
			}
			if errs := checkYAML(t, []byte(sn.yaml)); len(errs) > 0 {
				t.Errorf("schema rejects a valid config:\n%s", strings.Join(errs, "\n"))
			}
		})
	}
}

func TestSchemaRejectsInvalidConfigs(t *testing.T) {
	const head = "schema: 1\nname: a\n"
	const core = "core: {module: example.com/core, version: v1.0.0}\n"
	tests := []struct {
		name, yaml string
		want       string // a substring of one schema error
	}{
		{"unknown top-level key", head + core + "nmae: x\n", `$: unknown key "nmae"`},
		{"position both", head + core + "plugins: [{name: p, module: example.com/p, version: v1.0.0, position: {before: a, after: b}}]\n", "$.plugins[0].position"},
		{"kind", head + core + "plugins: [{name: p, module: example.com/p, version: v1.0.0, kind: Receiver}]\n", "$.plugins[0].kind"},
		{"version", head + core + "version: ../x\n", "$.version"},
		{"schema 2", "schema: 2\nname: a\n" + core, "$.schema: 2 is not 1"},
		{"no core", head, `$: missing required key "core"`},
		{"bad name", "schema: 1\nname: Acme\n" + core, `$.name: "Acme" does not match`},
		{"unknown core key", head + "core: {module: example.com/core, version: v1.0.0, entyr: Run}\n", `$.core: unknown key "entyr"`},
		{"lowercase entry", head + "core: {module: example.com/core, version: v1.0.0, entry: main}\n", `$.core.entry: "main" does not match`},
		{"module without version", head + "core: {module: example.com/core}\n", `$.core: missing required key "version"`},
		{"unquoted version", head + "core: {module: example.com/core, version: 1.10}\n", `$.core.version: 1.1 is not of type`},
		{"version starting with -", head + "core: {module: example.com/core, version: -main}\n", `$.core.version: "-main" does not match`},
		{"module path without a dot", head + "core: {module: acme/core, version: v1.0.0}\n", `$.core.module: "acme/core" does not match`},
		{"plugins not a list", head + core + "plugins: {name: x}\n", "$.plugins: {\"name\":\"x\"} is not of type"},
		{"plug without name", head + core + "plugins: [{source: ./x}]\n", `$.plugins[0]: missing required key "name"`},
		{"plug named core", head + core + "plugins: [{name: core, source: ./x}]\n", `$.plugins[0].name: "core" is not allowed`},
		{"unknown plug key", head + core + "plugins: [{name: x, source: ./x, sttings: {}}]\n", `$.plugins[0]: unknown key "sttings"`},
		{"enabled as a string", head + core + "plugins: [{name: x, source: ./x, enabled: \"no\"}]\n", `$.plugins[0].enabled: "no" is not of type`},
		{"constraint with a local source", head + core + "plugins: [{name: x, source: ./x, version: ^1.0.0}]\n", `$.plugins[0].version: "^1.0.0" does not match`},
		{"archive without checksum", head + core + "plugins: [{name: x, source: \"https://example.com/x.tgz\"}]\n", `$.plugins[0]: missing required key "checksum"`},
		{"checksum with a git source", head + core + "plugins: [{name: x, source: \"git::https://example.com/x.git\", checksum: \"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}]\n", `$.plugins[0].checksum`},
		{"bad checksum", head + core + "plugins: [{name: x, source: \"https://example.com/x.zip\", checksum: \"md5:00\"}]\n", `$.plugins[0].checksum: "md5:00" does not match`},
		{"forced getter", head + core + "plugins: [{name: x, source: \"s3::https://b/x.zip\"}]\n", `$.plugins[0].source: "s3::https://b/x.zip" does not match`},
		{"plain http", head + core + "plugins: [{name: x, source: \"http://example.com/x.zip\", checksum: \"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}]\n", `$.plugins[0].source: "http://example.com/x.zip" does not match`},
		{"unknown target", head + core + "build: {targets: [linux/x86]}\n", `$.build.targets[0]: "linux/x86" is not one of the allowed values`},
		{"unknown variant", head + core + "build: {targets: [linux/arm/v8]}\n", `$.build.targets[0]: "linux/arm/v8" is not one of the allowed values`},
		{"duplicate target", head + core + "build: {targets: [linux/amd64, linux/amd64]}\n", "$.build.targets: items 0 and 1 are equal"},
		{"unknown placeholder", head + core + "build: {output: \"dist/{arch}-{goos}\"}\n", `$.build.output: "dist/{arch}-{goos}" does not match`},
		{"bad build tag", head + core + "build: {tags: [\"a b\"]}\n", `$.build.tags[0]: "a b" does not match`},
		{"unknown build key", head + core + "build: {target: [linux/amd64]}\n", `$.build: unknown key "target"`},
		{"replace by a constraint", head + core + "replace: {example.com/x: ^1.2}\n", `$.replace.example.com/x: "^1.2" does not match`},
		{"replace of a non-module", head + core + "replace: {notamodule: ./x}\n", `$.replace key notamodule: "notamodule" does not match`},
		{"empty vendor", head + core + "vendor: \"\"\n", `$.vendor: "" is shorter than 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse("plugconfig.yaml", []byte(tt.yaml), "/work"); err == nil {
				t.Fatalf("Parse accepts it; the schema must not reject it")
			}
			errs := checkYAML(t, []byte(tt.yaml))
			if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, tt.want) }) {
				t.Errorf("schema errors %q\nwant one containing %q", errs, tt.want)
			}
		})
	}
}

// FuzzSchemaAccepts checks the schema's promise to editors: a file Parse
// accepts is never flagged. The seeds are every valid config of the parser's
// own tests, so `go test` alone runs the schema over all of them.
func FuzzSchemaAccepts(f *testing.F) {
	for _, tt := range validTests {
		f.Add([]byte(tt.in))
	}
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, name := range append(files, "../../plugconfig.example.yaml") {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	var s map[string]any
	if err := json.Unmarshal(JSONSchema(), &s); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := Parse("f.yaml", data, "/work"); err != nil {
			return
		}
		j, err := yaml.YAMLToJSON(data)
		if err != nil {
			return // nothing an editor could check either
		}
		var v any
		if err := json.Unmarshal(j, &v); err != nil {
			return
		}
		if errs := (&checker2020{root: s}).errors(s, v, "$"); len(errs) > 0 {
			t.Errorf("Parse accepts this config, the schema rejects it:\n%s\n%s", data, strings.Join(errs, "\n"))
		}
	})
}

// targetNames are the os/arch pairs a build may name, as text.
func targetNames() []string {
	var out []string
	for _, t := range platform.All() {
		out = append(out, t.String())
	}
	return out
}
