package setting

import "testing"

func TestLooksSecret(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"api_key", true},
		{"API_KEY", true},
		{"tls_key", true},
		{"key", false},
		{"keys", false},
		{"monkey", false},
		{"api_keys", false},
		{"token", true},
		{"auth_token_file", true},
		{"Tokens", true},
		{"secret", true},
		{"client_secret", true},
		{"password", true},
		{"db-password-hash", true},
		{"passwd", false},
		{"greeting", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := LooksSecret(tt.key); got != tt.want {
			t.Errorf("LooksSecret(%q) = %t, want %t", tt.key, got, tt.want)
		}
	}
}

func TestValidEnv(t *testing.T) {
	for name, want := range map[string]bool{
		"TOKEN": true, "_x": true, "a1_B": true, "": false, "1A": false, "A-B": false, "A=B": false, "A B": false, "É": false,
	} {
		if got := ValidEnv(name); got != want {
			t.Errorf("ValidEnv(%q) = %t, want %t", name, got, want)
		}
	}
}

func TestRefString(t *testing.T) {
	for _, tt := range []struct {
		ref  Ref
		want string
	}{
		{Ref{Env: "TOKEN", HasDefault: true, Default: "x"}, "{env: TOKEN}"},
		{Ref{File: "/run/a b\n"}, `{file: "/run/a b\n"}`},
	} {
		if got := tt.ref.String(); got != tt.want {
			t.Errorf("String() = %s, want %s", got, tt.want)
		}
	}
}

func TestIsRef(t *testing.T) {
	for _, tt := range []struct {
		keys []string
		want bool
	}{
		{[]string{"env"}, true},
		{[]string{"file", "default"}, true},
		{[]string{"default", "envy"}, false},
		{nil, false},
	} {
		if got := IsRef(tt.keys); got != tt.want {
			t.Errorf("IsRef(%q) = %t", tt.keys, got)
		}
	}
}
