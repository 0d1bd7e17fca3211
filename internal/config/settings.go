package config

import (
	"fmt"
	"strconv"
)

// settings returns the settings of plug scope as Go values (see Plugin),
// reporting each value that has none, and where each setting's key is.
func (c *checker) settings(e *entry, scope int) (map[string]any, map[string]Pos) {
	v := e.val
	switch v.kind {
	case kindNull, kindBad:
		return nil, nil
	case kindMap:
		pos := make(map[string]Pos, len(v.entries))
		for _, e := range v.entries {
			if _, ok := pos[e.key]; !ok && e.keyStr {
				pos[e.key] = e.keyPos
			}
		}
		return c.settingsMap(v, scope, ""), pos
	}
	c.add(v.pos, scope, "settings must be a mapping of setting name to value, got %s", describe(v))
	return nil, nil
}

func (c *checker) settingsMap(m *node, scope int, path string) map[string]any {
	out := make(map[string]any, len(m.entries))
	first := make(map[string]Pos, len(m.entries))
	for _, e := range m.entries {
		p := e.key
		if path != "" {
			p = path + "." + e.key
		}
		if !e.keyStr {
			c.add(e.keyPos, scope, "setting %s: key %s is not a string; quote it: %q", quoteShort(p), e.key, e.key)
			continue
		}
		if at, ok := first[e.key]; ok {
			if !e.merged {
				c.add(e.keyPos, scope, "duplicate setting %s (first at %d:%d)", quoteShort(p), at.Line, at.Col)
			}
			continue
		}
		first[e.key] = e.keyPos
		out[e.key] = c.setting(e.val, scope, p)
	}
	return out
}

// setting returns the Go value of v: nil, bool, int64, float64, string,
// []any or map[string]any.
func (c *checker) setting(v *node, scope int, path string) any {
	switch v.kind {
	case kindNull, kindBad:
		return nil
	case kindBool:
		return v.b
	case kindInt:
		if v.bad != "" {
			c.add(v.pos, scope, "setting %s: %s (valid: integers from -9223372036854775808 to 9223372036854775807; quote it to keep it a string)", quoteShort(path), v.bad)
			return nil
		}
		return v.i
	case kindFloat:
		if v.bad != "" {
			c.add(v.pos, scope, "setting %s: %s (valid: finite numbers; quote it to keep it a string)", quoteShort(path), v.bad)
			return nil
		}
		return v.f
	case kindString:
		return v.s
	case kindSeq:
		out := make([]any, len(v.items))
		for i, it := range v.items {
			out[i] = c.setting(it.val, scope, path+"["+strconv.Itoa(i)+"]")
		}
		return out
	case kindMap:
		return c.settingsMap(v, scope, path)
	}
	panic(fmt.Sprintf("config: unknown kind %d", v.kind))
}
