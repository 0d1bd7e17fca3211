package gotool

import (
	"slices"
	"testing"
)

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		bad      bool
	}{
		{name: "one", in: "cacher", want: []string{"cacher"}},
		{name: "flags", in: " cacher  --dir=/tmp/c\t-v ", want: []string{"cacher", "--dir=/tmp/c", "-v"}},
		{name: "quoted", in: `'/opt/my cacher' "a b" c`, want: []string{"/opt/my cacher", "a b", "c"}},
		{name: "empty", in: "  ", want: nil},
		{name: "unterminated", in: `cacher "a`, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := splitCommand(tt.in)
			if (err != nil) != tt.bad || !slices.Equal(got, tt.want) {
				t.Errorf("splitCommand(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.bad)
			}
		})
	}
}

func TestOpensCache(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want bool
	}{
		{"build", []string{"build", "-o", "x", "."}, true},
		{"tidy", []string{"mod", "tidy"}, true},
		{"list packages", []string{"list", "-deps", "-json", "."}, true},
		{"list modules", []string{"list", "-m", "-json", "all"}, false},
		{"download", []string{"mod", "download", "-json", "x@v1"}, false},
		{"env", []string{"env", "-json"}, false},
		{"version", []string{"version"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := opensCache(tt.args); got != tt.want {
				t.Errorf("opensCache(%q) = %v, want %v", tt.args, got, tt.want)
			}
		})
	}
}

func TestCacheProg(t *testing.T) {
	env := []string{"HOME=/h", "GOCACHEPROG=a", "PATH=/bin", "GOCACHEPROG=b c"}
	if got := cacheProg(env); got != "b c" {
		t.Errorf("cacheProg = %q, want the last assignment", got)
	}
	if got := cacheProg([]string{"HOME=/h"}); got != "" {
		t.Errorf("cacheProg with none = %q", got)
	}
}
