package gotool

import "testing"

func TestClassifyQuery(t *testing.T) {
	tests := []struct {
		name, msg string
		want      QueryFailure
	}{
		{"off", "example.com/audit@latest: module lookup disabled by GOPROXY=off", QueryOff},
		{"file proxy", "module example.com/nosuch: reading file:///tmp/proxy/example.com/nosuch/@v/list: no such file or directory", QueryNotFound},
		{"404", "module example.com/nosuch: reading https://proxy.golang.org/example.com/nosuch/@v/list: 404 Not Found", QueryNotFound},
		{"410", "github.com/plugctl/plugctl/plug@v0.0.0: reading https://proxy.golang.org/github.com/plugctl/plugctl/plug/@v/v0.0.0.info: 410 Gone", QueryNotFound},
		{"revision", "example.com/a@v9.9.9: invalid version: unknown revision v9.9.9", QueryNotFound},
		{"refused", `module example.com/x: Get "https://127.0.0.1:9/example.com/x/@v/list": dial tcp 127.0.0.1:9: connect: connection refused`, QueryNetwork},
		{"dns", `Get "https://proxy.example/x/@v/list": dial tcp: lookup proxy.example: no such host`, QueryNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClassifyQuery(tt.msg); got != tt.want {
				t.Errorf("ClassifyQuery(%q) = %d, want %d", tt.msg, got, tt.want)
			}
		})
	}
}
