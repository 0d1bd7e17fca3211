package inspect

import "testing"

func TestEmbedded(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string // the name found, "" for none
	}{
		{"after other strings", "\x00runtime.main" + `plugctl-info:v1:{"schema":1,"name":"hello","core":{"module":"m","version":"v1.0.0"},"plugs":[]}` + "go.buildid\x00", "hello"},
		{"after a decoy marker", `plugctl-info:v1:%s` + "\x00" + `plugctl-info:v1:{"schema":1,"name":"real","core":{"module":"m","version":"v1.0.0"},"plugs":[]}xyz`, "real"},
		{"a marker only", "plugctl-info:v1:", ""},
		{"an unknown schema", `plugctl-info:v1:{"schema":2,"name":"x"}`, ""},
		{"nothing", "\x7fELF", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, ok := Embedded([]byte(tt.data))
			got := ""
			if ok {
				got = info.Name
			}
			if got != tt.want {
				t.Errorf("found %q, want %q", got, tt.want)
			}
		})
	}
}
