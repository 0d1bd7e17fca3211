package config

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/setting"
	"github.com/plugctl/plugctl/internal/suggest"
	"github.com/plugctl/plugctl/internal/yamlsrc"
)

// settings returns the settings of plug scope as Go values (see Plugin),
// reporting each value that has none, and where each setting's key is.
func (c *checker) settings(e *yamlsrc.Entry, scope int) (map[string]any, map[string]Pos) {
	v := e.Val
	switch v.Kind {
	case yamlsrc.Null, yamlsrc.Bad:
		return nil, nil
	case yamlsrc.Map:
		pos := make(map[string]Pos, len(v.Entries))
		for _, e := range v.Entries {
			if _, ok := pos[e.Key]; !ok && e.KeyIsString {
				pos[e.Key] = e.KeyPos
			}
		}
		return c.settingsMap(v, scope, "", true), pos
	}
	c.add(v.Pos, scope, "settings must be a mapping of setting name to value, got %s", v.Describe())
	return nil, nil
}

// settingsMap returns the Go value of the mapping m at path; top says m is
// a plug's settings, whose values may be references.
func (c *checker) settingsMap(m *yamlsrc.Node, scope int, path string, top bool) map[string]any {
	out := make(map[string]any, len(m.Entries))
	first := make(map[string]Pos, len(m.Entries))
	for _, e := range m.Entries {
		p := e.Key
		if path != "" {
			p = path + "." + e.Key
		}
		if !e.KeyIsString {
			c.add(e.KeyPos, scope, "setting %s: key %s is not a string; quote it: %q", diag.Quote(p), e.Key, e.Key)
			continue
		}
		if at, ok := first[e.Key]; ok {
			if !e.Merged {
				c.add(e.KeyPos, scope, "duplicate setting %s (first at %d:%d)", diag.Quote(p), at.Line, at.Col)
			}
			continue
		}
		first[e.Key] = e.KeyPos
		if top && isRef(e.Val) {
			out[e.Key] = c.ref(e.Val, scope, p)
			continue
		}
		out[e.Key] = c.setting(e.Val, scope, p)
	}
	return out
}

// isRef reports whether v is a reference: a mapping with an env or a file
// key (setting.IsRef).
func isRef(v *yamlsrc.Node) bool {
	if v.Kind != yamlsrc.Map {
		return false
	}
	keys := make([]string, 0, len(v.Entries))
	for _, e := range v.Entries {
		if e.KeyIsString {
			keys = append(keys, e.Key)
		}
	}
	return setting.IsRef(keys)
}

// refKeys are the keys of a reference, for messages.
var refKeys = []string{setting.KeyDefault, setting.KeyEnv, setting.KeyFile}

// ref returns the reference the mapping v at path writes, checking its
// shape: env or file, not both, and an optional default, a plain value.
// Its type is checked when the plug starts, by the SDK.
func (c *checker) ref(v *yamlsrc.Node, scope int, path string) setting.Ref {
	var r setting.Ref
	what := "setting " + diag.Quote(path)
	seen := map[string]Pos{}
	for _, e := range v.Entries {
		if !e.KeyIsString {
			c.add(e.KeyPos, scope, "%s: key %s of a reference is not a string (valid: env or file, and default)", what, e.Key)
			continue
		}
		if at, ok := seen[e.Key]; ok {
			if !e.Merged {
				c.add(e.KeyPos, scope, "%s: duplicate key %q in a reference (first at %d:%d)", what, e.Key, at.Line, at.Col)
			}
			continue
		}
		seen[e.Key] = e.KeyPos
		switch e.Key {
		case setting.KeyEnv:
			name, ok := refString(e.Val)
			if !ok || !setting.ValidEnv(name) {
				c.add(e.Val.Pos, scope, "%s: invalid environment variable %s (valid: letters, digits and _, not starting with a digit)", what, e.Val.Describe())
				continue
			}
			r.Env = name
		case setting.KeyFile:
			name, ok := refString(e.Val)
			if !ok || name == "" || strings.IndexFunc(name, unicode.IsControl) >= 0 {
				c.add(e.Val.Pos, scope, "%s: invalid file %s (valid: a path, absolute or relative to the program's working directory)", what, e.Val.Describe())
				continue
			}
			r.File = name
		case setting.KeyDefault:
			r.Default, r.HasDefault = c.setting(e.Val, scope, path+".default"), true
		default:
			hint := ""
			if h := suggest.Hint(e.Key, refKeys); h != "" {
				hint = ", " + h
			}
			c.add(e.KeyPos, scope, "%s: unknown key %q in a reference%s (valid: env or file, and default)", what, e.Key, hint)
		}
	}
	_, env := seen[setting.KeyEnv]
	_, file := seen[setting.KeyFile]
	if env && file {
		c.add(v.Pos, scope, "%s: a reference reads env or file, not both", what)
	}
	return r
}

// refString returns the string v holds: a YAML string, not a number or a
// bool written bare.
func refString(v *yamlsrc.Node) (string, bool) {
	if v.Kind != yamlsrc.String {
		return "", false
	}
	return v.Str, true
}

// setting returns the Go value of v: nil, bool, int64, float64, string,
// []any or map[string]any (a mapping below a setting is never a
// reference).
func (c *checker) setting(v *yamlsrc.Node, scope int, path string) any {
	switch v.Kind {
	case yamlsrc.Null, yamlsrc.Bad:
		return nil
	case yamlsrc.Bool:
		return v.Bool
	case yamlsrc.Int:
		if v.Invalid != "" {
			c.add(v.Pos, scope, "setting %s: %s (valid: integers from -9223372036854775808 to 9223372036854775807; quote it to keep it a string)", diag.Quote(path), v.Invalid)
			return nil
		}
		return v.Int
	case yamlsrc.Float:
		if v.Invalid != "" {
			c.add(v.Pos, scope, "setting %s: %s (valid: finite numbers; quote it to keep it a string)", diag.Quote(path), v.Invalid)
			return nil
		}
		return v.Float
	case yamlsrc.String:
		return v.Str
	case yamlsrc.Seq:
		out := make([]any, len(v.Items))
		for i, it := range v.Items {
			out[i] = c.setting(it.Val, scope, path+"["+strconv.Itoa(i)+"]")
		}
		return out
	case yamlsrc.Map:
		return c.settingsMap(v, scope, path, false)
	}
	panic(fmt.Sprintf("config: unknown kind %d", v.Kind))
}

// Warnings returns what is valid in c but unwise, each at its position and
// naming its plug: a setting of an enabled plug whose name looks like a
// secret (setting.LooksSecret) given as a literal string or number, which
// the binary would hold. validate shows them; nothing fails for them.
func (c *Config) Warnings() diag.List {
	var out diag.List
	for _, p := range c.Enabled() {
		for _, key := range slices.Sorted(maps.Keys(p.Settings)) {
			if !setting.LooksSecret(key) || !secretLiteral(p.Settings[key]) {
				continue
			}
			out = append(out, &diag.Problem{File: c.File, Pos: p.SettingPos[key], Subject: p.Name,
				Msg: fmt.Sprintf("setting %s looks like a secret, but its value is written in the config and so compiled into the binary; read it when the program starts instead: {env: NAME} or {file: PATH}", diag.Quote(key))})
		}
	}
	return out.Sort()
}

// secretLiteral reports whether v is a value a secret could be: a
// non-empty string or a number.
func secretLiteral(v any) bool {
	switch v := v.(type) {
	case string:
		return v != ""
	case int64, float64:
		return true
	}
	return false
}
