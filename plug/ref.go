package plug

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Ref is a setting the program reads when the plug starts, rather than a
// value compiled into the binary: the value of an environment variable or
// the content of a file. The plug config writes it as the setting's value,
//
//	token: {env: METRICS_TOKEN}
//	key: {file: /run/secrets/key, default: ""}
//
// and the generated main hands it to [Configure] as a Ref, so that a secret
// never enters the binary, its SBOM or the lock: they hold the reference.
// [Start] reads every Ref before any Init runs (see the package
// documentation, "Settings read at start").
type Ref struct {
	// Env names the environment variable holding the value; File is the
	// path of the file holding it (relative to the program's working
	// directory), with one final newline ("\n" or "\r\n") dropped. Exactly
	// one of them is set.
	Env, File string
	// Default is the value when the variable is not set or the file does
	// not exist, if HasDefault. Without one the setting is required: its
	// absence fails Start. A null Default (nil) leaves the plug's own
	// default in place.
	Default    any
	HasDefault bool
	// Type is the setting's type in the plug's plugin.yaml, which the text
	// read must have: "string", "" or "any" (the text as it is), "bool"
	// (true or false), "int" (a decimal integer), "float" (a number), "list"
	// or "map" (JSON text of an array or an object).
	Type string
}

// String returns the reference as the plug config writes it, without its
// default: {env: NAME} or {file: "PATH"}.
func (r Ref) String() string {
	if r.Env != "" {
		return "{env: " + r.Env + "}"
	}
	return "{file: " + strconv.Quote(r.File) + "}"
}

// maxRefFile bounds a file a Ref reads: a secret or a setting is small, and
// a path to something endless must not hang the program.
const maxRefFile = 1 << 20

// refTypes are the Ref types, as plugin.yaml names them.
var refTypes = []string{"", "any", "string", "bool", "int", "float", "list", "map"}

// check reports what makes r a Ref no generated main would write.
func (r Ref) check(path string) error {
	switch {
	case (r.Env == "") == (r.File == ""):
		return fmt.Errorf("setting %q: a plug.Ref needs exactly one of Env and File", path)
	case strings.ContainsAny(r.Env, "=\x00"):
		return fmt.Errorf("setting %q: invalid environment variable name %q in a plug.Ref", path, r.Env)
	case strings.Contains(r.File, "\x00"):
		return fmt.Errorf("setting %q: invalid file name %q in a plug.Ref", path, r.File)
	case !slices.Contains(refTypes, r.Type):
		return fmt.Errorf("setting %q: unknown type %q in a plug.Ref (want one of string, bool, int, float, list, map, any)", path, r.Type)
	case r.Default != nil && !r.HasDefault:
		return fmt.Errorf("setting %q: a plug.Ref with a Default must set HasDefault", path)
	}
	if _, nested := r.Default.(Ref); nested {
		return fmt.Errorf("setting %q: the default of a plug.Ref cannot be a plug.Ref", path)
	}
	return checkValue(path, r.Default, false)
}

// resolve returns settings with each Ref replaced by the value it reads,
// and a problem for each Ref that cannot be read or is not of its type; a
// setting with a problem is left out. settings itself is not changed.
func resolve(settings map[string]any) (map[string]any, []string) {
	var out map[string]any
	var problems []string
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		r, ok := settings[k].(Ref)
		if !ok {
			continue
		}
		if out == nil {
			out = maps.Clone(settings)
		}
		v, err := r.value()
		if err != nil {
			problems = append(problems, fmt.Sprintf("setting %q: %v", joinKey("", k), err))
			delete(out, k)
			continue
		}
		out[k] = v
	}
	if out == nil {
		return settings, nil
	}
	return out, problems
}

// value reads r's value and checks it against r's type. Its errors start
// with the reference and never hold the value read.
func (r Ref) value() (any, error) {
	text, found, err := r.read()
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", r, err)
	case !found && r.HasDefault:
		if r.Default != nil && !typeAccepts(r.Type, r.Default) {
			return nil, fmt.Errorf("%s: its default is %s, want %s", r, describe(r.Default), typeWant[r.Type])
		}
		return copyValue(r.Default), nil
	case !found && r.Env != "":
		return nil, fmt.Errorf("%s is not set, and the plug config gives no default", r)
	case !found:
		return nil, fmt.Errorf("%s does not exist, and the plug config gives no default", r)
	}
	v, ok := parseText(r.Type, text)
	if !ok {
		return nil, fmt.Errorf("%s: the value read is not %s (values read at start are never shown)", r, typeWant[r.Type])
	}
	return v, nil
}

// read returns the text r names, and whether it found any: false for an
// unset variable or a file that does not exist.
func (r Ref) read() (string, bool, error) {
	if r.Env != "" {
		v, ok := os.LookupEnv(r.Env)
		return v, ok, nil
	}
	f, err := os.Open(r.File)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRefFile+1))
	if err != nil {
		return "", false, err
	}
	if len(data) > maxRefFile {
		return "", false, fmt.Errorf("the file is larger than %d bytes", maxRefFile)
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	data = bytes.TrimSuffix(data, []byte("\r"))
	return string(data), true, nil
}

// typeWant says what a value of each Ref type is, for messages.
var typeWant = map[string]string{
	"": "text", "any": "text", "string": "text", "bool": "true or false",
	"int": "an integer", "float": "a number", "list": "a JSON array", "map": "a JSON object",
}

// typeAccepts reports whether the settings value v is of type t, as
// plugctl checks the config's values against plugin.yaml: a float setting
// also takes an integer, a setting of no type or of type any takes anything.
func typeAccepts(t string, v any) bool {
	switch t {
	case "", "any":
		return true
	case "string":
		_, ok := v.(string)
		return ok
	case "bool":
		_, ok := v.(bool)
		return ok
	case "int":
		_, ok := v.(int64)
		return ok
	case "float":
		switch v.(type) {
		case int64, float64:
			return true
		}
	case "list":
		_, ok := v.([]any)
		return ok
	case "map":
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

// parseText returns the settings value of type t that text spells.
func parseText(t, text string) (any, bool) {
	switch t {
	case "", "any", "string":
		return text, true
	case "bool":
		switch text {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		return nil, false
	case "int":
		n, err := strconv.ParseInt(text, 10, 64)
		return n, err == nil
	case "float":
		f, err := strconv.ParseFloat(text, 64)
		return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
	case "list", "map":
		v, ok := parseJSON(text)
		return v, ok && typeAccepts(t, v)
	}
	return nil, false
}

// parseJSON decodes one JSON value into a settings value: integers become
// int64, other numbers float64.
func parseJSON(text string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false // more than one value
	}
	return fromJSON(v)
}

func fromJSON(v any) (any, bool) {
	switch v := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return n, true
		}
		f, err := strconv.ParseFloat(string(v), 64)
		return f, err == nil && !math.IsInf(f, 0)
	case []any:
		for i, e := range v {
			var ok bool
			if v[i], ok = fromJSON(e); !ok {
				return nil, false
			}
		}
		return v, true
	case map[string]any:
		for k, e := range v {
			var ok bool
			if v[k], ok = fromJSON(e); !ok {
				return nil, false
			}
		}
		return v, true
	}
	return v, true // nil, bool, string
}
