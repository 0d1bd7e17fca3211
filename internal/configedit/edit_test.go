package configedit

import (
	"errors"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/config"
)

const head = "schema: 1\nname: app   # the binary\ncore: {module: example.com/core, version: v1.0.0}\n"

var audit = Plug{Name: "audit", Source: "./plugins/audit"}
var metrics = Plug{Name: "metrics", Module: "example.com/metrics", Version: "^1.2"}

func TestAdd(t *testing.T) {
	tests := []struct {
		name string
		in   string
		plug Plug
		want string
	}{
		{"block list, comments kept", head + "plugins:\n  # the plugs\n  - name: a\n    source: ./a   # local\n    # settings: {}\n\n# replace comes next\nreplace: {}\n", metrics,
			head + "plugins:\n  # the plugs\n  - name: a\n    source: ./a   # local\n    # settings: {}\n  - name: metrics\n    module: example.com/metrics\n    version: \"^1.2\"\n\n# replace comes next\nreplace: {}\n"},
		{"list at the key's column", head + "plugins:\n- name: a\n  source: ./a\nbuild: {}\n", audit,
			head + "plugins:\n- name: a\n  source: ./a\n- name: audit\n  source: ./plugins/audit\nbuild: {}\n"},
		{"wider indentation", head + "plugins:\n    -   name: a\n        source: ./a\n", audit,
			head + "plugins:\n    -   name: a\n        source: ./a\n    -   name: audit\n        source: ./plugins/audit\n"},
		{"one-line items", head + "plugins:\n  - {name: a, source: ./a}\n", metrics,
			head + "plugins:\n  - {name: a, source: ./a}\n  - {name: metrics, module: example.com/metrics, version: \"^1.2\"}\n"},
		{"empty key with examples", head + "plugins:\n  # - name: metrics\n  #   module: x\n\n# replace:\n", audit,
			head + "plugins:\n  # - name: metrics\n  #   module: x\n  - name: audit\n    source: ./plugins/audit\n\n# replace:\n"},
		{"empty brackets", head + "plugins: []   # none yet\nbuild: {}\n", audit,
			head + "plugins: # none yet\n  - name: audit\n    source: ./plugins/audit\nbuild: {}\n"},
		{"no plugins key", head, audit,
			head + "\nplugins:\n  - name: audit\n    source: ./plugins/audit\n"},
		{"no final newline", head + "plugins:\n  - name: a\n    source: ./a", audit,
			head + "plugins:\n  - name: a\n    source: ./a\n  - name: audit\n    source: ./plugins/audit\n"},
		{"CRLF and BOM", "\ufeff" + strings.ReplaceAll(head+"plugins:\n  - name: a\n    source: ./a\n", "\n", "\r\n"), audit,
			"\ufeff" + strings.ReplaceAll(head+"plugins:\n  - name: a\n    source: ./a\n  - name: audit\n    source: ./plugins/audit\n", "\n", "\r\n")},
		{"value needing quotes", head + "plugins:\n  - name: a\n    source: ./a\n", Plug{Name: "y", Module: "example.com/y", Version: "1.10"},
			head + "plugins:\n  - name: a\n    source: ./a\n  - name: \"y\"\n    module: example.com/y\n    version: \"1.10\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Add([]byte(tt.in), tt.plug)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if _, err := config.Parse("plugconfig.yaml", got, "/work"); err != nil {
				t.Errorf("the result does not parse: %v", err)
			}
		})
	}
}

func TestRemove(t *testing.T) {
	tests := []struct {
		name, in, plug, want string
	}{
		{"middle, comments of the others kept", head + "plugins:\n  # the plugs\n  - name: a\n    source: ./a\n  - name: b   # b\n    source: ./b\n    settings:\n      x: 1\n\n      y: 2\n    # settings end\n  # c comes last\n  - name: c\n    source: ./c\nreplace: {}\n", "b",
			head + "plugins:\n  # the plugs\n  - name: a\n    source: ./a\n  # c comes last\n  - name: c\n    source: ./c\nreplace: {}\n"},
		{"last", head + "plugins:\n  - name: a\n    source: ./a\n  - name: b\n    source: ./b\n\nbuild: {}\n", "b",
			head + "plugins:\n  - name: a\n    source: ./a\n\nbuild: {}\n"},
		{"only", head + "plugins:\n- name: a\n  source: ./a\nbuild: {}\n", "a",
			head + "plugins:\nbuild: {}\n"},
		{"one-line items", head + "plugins:\n  - {name: a, source: ./a}\n  - {name: b, source: ./b}\n", "a",
			head + "plugins:\n  - {name: b, source: ./b}\n"},
		{"dash on its own line", head + "plugins:\n  -\n    name: a\n    source: ./a\n  - name: b\n    source: ./b\n", "a",
			head + "plugins:\n  - name: b\n    source: ./b\n"},
		{"CRLF", strings.ReplaceAll(head+"plugins:\n  - name: a\n    source: ./a\n  - name: b\n    source: ./b\n", "\n", "\r\n"), "a",
			strings.ReplaceAll(head+"plugins:\n  - name: b\n    source: ./b\n", "\n", "\r\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Remove([]byte(tt.in), tt.plug)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if _, err := config.Parse("plugconfig.yaml", got, "/work"); err != nil {
				t.Errorf("the result does not parse: %v", err)
			}
		})
	}
}

// TestLayouts checks that lists this package cannot edit line by line are
// refused, never rewritten.
func TestLayouts(t *testing.T) {
	flow := head + "plugins: [{name: a, source: ./a}, {name: b, source: ./b}]\n"
	alias := "x-plugs: &p\n  - name: a\n    source: ./a\n" + head + "plugins: *p\n"
	for name, in := range map[string]string{"flow": flow, "alias": alias} {
		t.Run(name, func(t *testing.T) {
			if _, err := Add([]byte(in), audit); !errors.Is(err, ErrLayout) {
				t.Errorf("Add: %v, want ErrLayout", err)
			}
			if _, err := Remove([]byte(in), "a"); !errors.Is(err, ErrLayout) {
				t.Errorf("Remove: %v, want ErrLayout", err)
			}
		})
	}
	if _, err := Remove([]byte(head+"plugins:\n  - name: a\n    source: ./a\n"), "nosuch"); err == nil {
		t.Error("removing a plug that is not there succeeded")
	}
}

func FuzzEdit(f *testing.F) {
	f.Add(head+"plugins:\n  - name: a\n    source: ./a\n", "a")
	f.Add(head+"plugins:\n- {name: a, source: ./a}\n- name: b\n  source: ./b\n", "b")
	f.Fuzz(func(t *testing.T, in, name string) {
		// Whatever the input, an edit that succeeds holds the plugs it
		// should: check does that; here it must not panic.
		_, _ = Add([]byte(in), Plug{Name: "zz", Source: "./zz"})
		_, _ = Remove([]byte(in), name)
	})
}
