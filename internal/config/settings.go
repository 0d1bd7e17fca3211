package config

import (
	"fmt"
	"strconv"

	"github.com/plugctl/plugctl/internal/diag"
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
		return c.settingsMap(v, scope, ""), pos
	}
	c.add(v.Pos, scope, "settings must be a mapping of setting name to value, got %s", v.Describe())
	return nil, nil
}

func (c *checker) settingsMap(m *yamlsrc.Node, scope int, path string) map[string]any {
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
		out[e.Key] = c.setting(e.Val, scope, p)
	}
	return out
}

// setting returns the Go value of v: nil, bool, int64, float64, string,
// []any or map[string]any.
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
		return c.settingsMap(v, scope, path)
	}
	panic(fmt.Sprintf("config: unknown kind %d", v.Kind))
}
