package config

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plugctl/plugctl/internal/yamlsrc"
)

// aliasBomb returns a "billion laughs" document: each level aliases the
// previous one ten times, so full expansion would hold 10^levels values.
func aliasBomb(levels int) string {
	var b strings.Builder
	b.WriteString(header + "plugins:\n  - name: p\n    source: ./p\n    settings:\n      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "      l%d: &l%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// robustTests lists hostile or unusual files. The inputs also seed
// FuzzParse.
var robustTests = []struct {
	name string
	in   string
	want string // the errors, or "" when the file is valid
}{
	{"alias bomb", aliasBomb(30),
		`plugconfig.yaml:12:51: plug "p": aliases expand to more than 100000 values`},
	{"alias bomb in a scalar field", header + "x: &a [*b]\n", // no anchor: first the undefined alias
		`plugconfig.yaml:4:1: unknown key "x" (valid keys: audit, build, core, description, exclude, name, plugins, policy, replace, schema, vendor, version)` + "\n" +
			`plugconfig.yaml:4:8: alias *b refers to no anchor defined before it (define &b first)`},
	{"anchor at the expansion limit", header + "plugins:\n  - name: p\n    source: ./p\n    settings:\n      a: &a [" +
		strings.Repeat("x, ", 999) + "x]\n      b: [" + strings.Repeat("*a, ", 98) + "*a]\n", ""},
	{"byte order mark", "\ufeff" + header, ""},
	{"byte order mark positions", "\ufeffnmae: x\n" + header,
		`plugconfig.yaml:1:1: unknown key "nmae", did you mean "name"? (valid keys: audit, build, core, description, exclude, name, plugins, policy, replace, schema, vendor, version)`},
	{"CRLF line endings", strings.ReplaceAll(header+"plugins:\n  - name: p\n    source: ./p\n    sttings: {}\n", "\n", "\r\n"),
		`plugconfig.yaml:7:5: plug "p": unknown key "sttings", did you mean "settings"? (valid keys: checksum, enabled, hooks, import, kind, module, name, position, replaces, settings, source, version)`},
	// A lone CR is refused (it was read as LF before plugctl had one YAML
	// front end): terminals and editors show other lines than YAML reads.
	{"lone CR line endings", strings.ReplaceAll(header+"nmae: x\n", "\n", "\r"),
		`plugconfig.yaml:1:10: carriage return without a line feed: end lines with LF or CR LF (write "\r" inside double quotes for a carriage return)`},
	{"file too large", header + strings.Repeat("#", MaxFileSize),
		`plugconfig.yaml:1:1: file is larger than 1048576 bytes (1 MiB)`},
	{"file at the size limit", header + strings.Repeat("#", MaxFileSize-len(header)), ""},
	{"too many keys", header + "plugins:\n  - name: p\n    source: ./p\n    settings:\n" + manyKeys(yamlsrc.MaxKeys),
		"plugconfig.yaml:9999:7: more than 10000 mapping keys"},
	{"too many tokens", header + "build: {tags: [" + strings.Repeat("a,", yamlsrc.MaxTokens/2) + "a]}\n",
		"plugconfig.yaml:4:99993: more than 100000 YAML tokens (values, keys and indicators)"},
	{"too many tokens before deep nesting", "a: " + strings.Repeat("[", 200000) + strings.Repeat("]", 200000),
		"plugconfig.yaml:1:100002: more than 100000 YAML tokens (values, keys and indicators)"},
	{"deep flow nesting", "a: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
		"plugconfig.yaml:1:67: nesting deeper than 64 levels"},
	{"deep block nesting on one line", strings.Repeat("- ", 20000) + "x\n",
		"plugconfig.yaml:1:129: nesting deeper than 64 levels"},
	{"deep mapping nesting", deepMap(100),
		"plugconfig.yaml:65:129: nesting deeper than 64 levels"},
}

// manyKeys returns n settings, one per line.
func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "      k%05d: %d\n", i, i)
	}
	return b.String()
}

// deepMap returns n nested mappings.
func deepMap(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%sk:\n", strings.Repeat("  ", i))
	}
	return b.String()
}

func TestRobustness(t *testing.T) {
	for _, tt := range robustTests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			cfg, err := Parse("plugconfig.yaml", []byte(tt.in), "/work")
			// A guard against a hang or a quadratic blow-up (minutes
			// before the token limits), not a speed target: this machine
			// may be loaded, so only an order-of-magnitude miss fails.
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("Parse took %v", d)
			}
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Parse: %v", err)
			case tt.want == "" && cfg == nil:
				t.Fatal("Parse returned neither a config nor an error")
			case tt.want != "" && err == nil:
				t.Fatalf("Parse succeeded, want %s", tt.want)
			case tt.want != "" && err.Error() != tt.want:
				t.Errorf("errors:\n%v\nwant:\n%s", err, tt.want)
			}
		})
	}
}
