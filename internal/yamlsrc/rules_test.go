package yamlsrc_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/manifest"
	"github.com/plugctl/plugctl/internal/yamlsrc"
)

// TestBothDocuments checks that the config and a manifest follow the same
// rules for the text, the limits and the syntax of YAML: each input is
// refused by both with the same problem, NOUN standing for the document's
// noun ("config", "manifest").
func TestBothDocuments(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // f.yaml:line:col: message, with NOUN for the noun
	}{
		{"too large", "a: \"" + strings.Repeat("x", yamlsrc.MaxFileSize) + "\"\n",
			"f.yaml:1:1: file is larger than 1048576 bytes (1 MiB)"},
		{"invalid UTF-8", "a: b\nb: caf\xe9\n",
			"f.yaml:2:7: invalid UTF-8 (byte 0xe9): a NOUN must be UTF-8 text"},
		{"NUL", "a: b\nb: \x00\n",
			`f.yaml:2:4: NUL byte: a NOUN must be text (write "\0" inside double quotes for a NUL character)`},
		{"escape character", "a: \x1b[31mred\n",
			"f.yaml:1:4: control character U+001B: write it as an escape inside double quotes"},
		{"C1 control", "a: \u009b31m\n",
			"f.yaml:1:4: control character U+009B: write it as an escape inside double quotes"},
		{"noncharacter", "a: \uffff\n",
			"f.yaml:1:4: control character U+FFFF: write it as an escape inside double quotes"},
		{"lone CR", "a: b\rc: d\n",
			`f.yaml:1:5: carriage return without a line feed: end lines with LF or CR LF (write "\r" inside double quotes for a carriage return)`},
		{"lone CR after CR LF lines", "\ufeffa: b\r\nc: d\r\ne: f\r",
			`f.yaml:3:5: carriage return without a line feed: end lines with LF or CR LF (write "\r" inside double quotes for a carriage return)`},
		{"tab in indentation", "a:\n\tb: c\n",
			"f.yaml:2:1: invalid YAML: tab character in indentation (indent with spaces)"},
		{"syntax", "a: [b\n",
			"f.yaml:1:4: invalid YAML: sequence end token ']' not found"},
		{"two documents", "a: b\n---\nc: d\n",
			"f.yaml:3:1: more than one YAML document: a NOUN is a single mapping, without a second ---"},
		{"too many tokens", "a: [" + strings.Repeat("b,", yamlsrc.MaxTokens/2) + "b]\n",
			"f.yaml:1:100002: more than 100000 YAML tokens (values, keys and indicators)"},
		{"too many keys", manyKeys(yamlsrc.MaxKeys + 1),
			"f.yaml:10001:1: more than 10000 mapping keys"},
		{"deep flow nesting", "a: " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "\n",
			"f.yaml:1:67: nesting deeper than 64 levels"},
		{"deep block nesting", strings.Repeat("- ", 100) + "x\n",
			"f.yaml:1:129: nesting deeper than 64 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("f.yaml", []byte(tt.in), "/work")
			if want := strings.ReplaceAll(tt.want, "NOUN", "config"); err == nil || err.Error() != want {
				t.Errorf("config:\n%v\nwant\n%s", err, want)
			}
			_, err = manifest.Parse("f.yaml", []byte(tt.in))
			if want := strings.ReplaceAll(tt.want, "NOUN", "manifest"); err == nil || err.Error() != want {
				t.Errorf("manifest:\n%v\nwant\n%s", err, want)
			}
		})
	}
}

// TestBothDocumentsAccept checks that both documents read what the shared
// rules allow at the same positions: a byte order mark, CR LF line endings,
// tabs inside values, NEL and other text.
func TestBothDocumentsAccept(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the unknown-key problem both report for key "x"
	}{
		{"plain", "x: 1\n", "f.yaml:1:1"},
		{"byte order mark", "\ufeff\nx: 1\n", "f.yaml:2:1"},
		{"CR LF", "# c\r\n\r\n  \r\nx: 1\r\n", "f.yaml:4:1"},
		{"tab after the indentation", "#\tc\nx:\t1\n", "f.yaml:2:1"},
		{"escapes in double quotes", "#\nx: \"\\0\\e\\r\\u202e\"\n", "f.yaml:2:1"},
		{"NEL and wide characters", "# \u0085 é 日本\nx: é\n", "f.yaml:2:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("f.yaml", []byte(tt.in), "/work")
			if err == nil || !strings.Contains(err.Error(), tt.want+`: unknown key "x"`) {
				t.Errorf("config: %v, want the unknown key at %s", err, tt.want)
			}
			_, err = manifest.Parse("f.yaml", []byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want+`: unknown key "x"`) {
				t.Errorf("manifest: %v, want the unknown key at %s", err, tt.want)
			}
		})
	}
}

// manyKeys returns a mapping of n keys, one per line.
func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "k%05d: %d\n", i, i)
	}
	return b.String()
}
