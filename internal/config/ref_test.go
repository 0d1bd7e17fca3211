package config

import (
	"reflect"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/setting"
)

// TestSettingRefs reads settings given as references: a whole setting's
// value that is a mapping with an env or a file key.
func TestSettingRefs(t *testing.T) {
	tests := []struct {
		name string
		yaml string // written after "v: "
		want any
	}{
		{"env", "{env: TOKEN}", setting.Ref{Env: "TOKEN"}},
		{"file", "{file: /run/secrets/token}", setting.Ref{File: "/run/secrets/token"}},
		{"relative file", "{file: 'secrets/a b.txt'}", setting.Ref{File: "secrets/a b.txt"}},
		{"default", "{env: PORT, default: 9090}", setting.Ref{Env: "PORT", Default: int64(9090), HasDefault: true}},
		{"null default", "{env: PORT, default: null}", setting.Ref{Env: "PORT", HasDefault: true}},
		{"map default", "{file: f, default: {env: X}}", setting.Ref{File: "f", Default: map[string]any{"env": "X"}, HasDefault: true}},
		{"block", "\n        env: TOKEN\n        default: ''\n", setting.Ref{Env: "TOKEN", Default: "", HasDefault: true}},
		// A reference is only a setting's whole value.
		{"nested stays a map", "{a: {env: TOKEN}}", map[string]any{"a": map[string]any{"env": "TOKEN"}}},
		{"in a list stays a map", "[{env: TOKEN}]", []any{map[string]any{"env": "TOKEN"}}},
		{"no env or file key is a map", "{default: x, envy: y}", map[string]any{"default": "x", "envy": "y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("plugconfig.yaml", []byte(plugHeader+"      v: "+tt.yaml+"\n"), "/work")
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Plugins[0].Settings["v"]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("v: %s\ngot  %#v\nwant %#v", tt.yaml, got, tt.want)
			}
		})
	}
}

func TestSettingRefErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string // written after "v: " on line 8
		want []string
	}{
		{"env and file", "{env: A, file: b}", []string{`8:10: plug "p": setting "v": a reference reads env or file, not both`}},
		{"bad env name", "{env: 1A}", []string{`8:16: plug "p": setting "v": invalid environment variable "1A" (valid: letters, digits and _, not starting with a digit)`}},
		{"env with a dash", "{env: A-B}", []string{`8:16: plug "p": setting "v": invalid environment variable "A-B" (valid: letters, digits and _, not starting with a digit)`}},
		{"env not a string", "{env: [A]}", []string{`8:16: plug "p": setting "v": invalid environment variable a list (valid: letters, digits and _, not starting with a digit)`}},
		{"empty file", "{file: ''}", []string{`8:17: plug "p": setting "v": invalid file "" (valid: a path, absolute or relative to the program's working directory)`}},
		{"null file", "{file: }", []string{`8:11: plug "p": setting "v": invalid file null (valid: a path, absolute or relative to the program's working directory)`}},
		{"file with a newline", `{file: "a\nb"}`, []string{`8:17: plug "p": setting "v": invalid file "a\nb" (valid: a path, absolute or relative to the program's working directory)`}},
		{"misspelt default", "{env: A, defualt: 1}", []string{`8:19: plug "p": setting "v": unknown key "defualt" in a reference, did you mean "default"? (valid: env or file, and default)`}},
		{"unknown key", "{env: A, required: true}", []string{`8:19: plug "p": setting "v": unknown key "required" in a reference (valid: env or file, and default)`}},
		{"key not a string", "{env: A, 1: x}", []string{`8:19: plug "p": setting "v": key 1 of a reference is not a string (valid: env or file, and default)`}},
		{"duplicate key", "{env: A, env: B}", []string{`8:19: plug "p": setting "v": duplicate key "env" in a reference (first at 8:11)`}},
		{"bad default", "{env: A, default: .nan}", []string{`8:28: plug "p": setting "v.default": .nan is not a finite number (valid: finite numbers; quote it to keep it a string)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("plugconfig.yaml", []byte(plugHeader+"      v: "+tt.yaml+"\n"), "/work")
			var want []string
			for _, w := range tt.want {
				want = append(want, "plugconfig.yaml:"+w)
			}
			if err == nil || err.Error() != strings.Join(want, "\n") {
				t.Errorf("errors:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	in := header + `plugins:
  - name: a
    source: ./a
    settings:
      api_key: abc123
      Auth_Token: 42
      password: ""
      secret_ref: {env: SECRET}
      client_secret: {file: /run/secret}
      greeting: hello
      token_ttl: 1.5
      tokens_enabled: true
      password_rules: {min: 8}
  - name: off
    source: ./off
    enabled: false
    settings: {api_key: abc}
  - name: b
    source: ./b
    settings: {db_password: hunter2}
`
	cfg, err := Parse("plugconfig.yaml", []byte(in), "/work")
	if err != nil {
		t.Fatal(err)
	}
	const msg = ` looks like a secret, but its value is written in the config and so compiled into the binary; read it when the program starts instead: {env: NAME} or {file: PATH}`
	want := strings.Join([]string{
		`plugconfig.yaml:8:7: plug "a": setting "api_key"` + msg,
		`plugconfig.yaml:9:7: plug "a": setting "Auth_Token"` + msg,
		`plugconfig.yaml:14:7: plug "a": setting "token_ttl"` + msg,
		`plugconfig.yaml:23:16: plug "b": setting "db_password"` + msg,
	}, "\n")
	if got := cfg.Warnings().Error(); got != want {
		t.Errorf("warnings:\n%s\nwant:\n%s", got, want)
	}
}
