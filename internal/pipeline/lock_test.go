package pipeline

import (
	"slices"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/source"
)

func TestParseGoSum(t *testing.T) {
	sum := `example.com/b v1.0.0 h1:bbb=
example.com/b v1.0.0/go.mod h1:bbm=
example.com/a v1.2.0/go.mod h1:aam=

example.com/a v1.10.0 h1:a10=
example.com/a v1.10.0/go.mod h1:a10m=
`
	got, err := parseGoSum([]byte(sum))
	if err != nil {
		t.Fatal(err)
	}
	want := []lock.Module{
		{Path: "example.com/a", Version: "v1.10.0", Hash: "h1:a10=", GoModHash: "h1:a10m="},
		{Path: "example.com/a", Version: "v1.2.0", GoModHash: "h1:aam="},
		{Path: "example.com/b", Version: "v1.0.0", Hash: "h1:bbb=", GoModHash: "h1:bbm="},
	}
	if !slices.Equal(got, want) {
		t.Errorf("parseGoSum:\n got %v\nwant %v", got, want)
	}
	if _, err := parseGoSum([]byte("example.com/a v1.0.0\n")); err == nil || !strings.Contains(err.Error(), "go.sum:1") {
		t.Errorf("a malformed line: %v", err)
	}
}

func TestGraphOwner(t *testing.T) {
	g := parseGraph(`plugctl.build/acme example.com/server@v1.4.2
plugctl.build/acme example.com/audit@v0.2.0
plugctl.build/acme example.com/metrics@v0.3.1
example.com/audit@v0.2.0 example.com/lib@v1.0.0
example.com/lib@v1.0.0 example.com/server@v1.6.0
example.com/metrics@v0.3.1 example.com/server@v1.4.2
`)
	owners := map[string]string{
		"example.com/server@v1.4.2":  "core",
		"example.com/audit@v0.2.0":   "audit",
		"example.com/metrics@v0.3.1": "metrics",
	}
	req := g.requirers["example.com/server@v1.6.0"]
	if !slices.Equal(req, []string{"example.com/lib@v1.0.0"}) {
		t.Fatalf("requirers of server@v1.6.0: %v", req)
	}
	name, path := g.owner(req[0], owners)
	if name != "audit" || !slices.Equal(path, []string{"example.com/lib@v1.0.0"}) {
		t.Errorf("owner = %q through %v, want audit through lib", name, path)
	}
	if name, path := g.owner("example.com/audit@v0.2.0", owners); name != "audit" || path != nil {
		t.Errorf("a plug owns itself: %q %v", name, path)
	}
}

func TestChanges(t *testing.T) {
	old := &lock.File{
		Core: lock.Entry{Module: "m/core", Version: "v1.0.0", Hash: "h1:a"},
		Plugins: []lock.Entry{
			{Name: "gone", Module: "m/gone", Version: "v1.0.0"},
			{Name: "local", Module: "m/local", Version: "v0.0.0", Hash: "h1:x", Origin: source.Origin{Kind: source.Local, Path: "./l"}},
			{Name: "same", Module: "m/same", Version: "v1.0.0"},
		},
	}
	nf := &lock.File{
		Core: lock.Entry{Module: "m/core", Version: "v1.1.0", Hash: "h1:b"},
		Plugins: []lock.Entry{
			{Name: "local", Module: "m/local", Version: "v0.0.0", Hash: "h1:y", Origin: source.Origin{Kind: source.Local, Path: "./l"}},
			{Name: "new", Module: "m/new", Version: "v0.1.0"},
			{Name: "same", Module: "m/same", Version: "v1.0.0"},
		},
	}
	var got []string
	for _, c := range changes(old, nf) {
		got = append(got, describeChange(c))
	}
	want := []string{
		"core: v1.0.0 → v1.1.0",
		`plug "gone": removed (was v1.0.0)`,
		`plug "local": v0.0.0 (content changed)`,
		`plug "new": added at v0.1.0`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
