package scaffold

import (
	"go/parser"
	"go/token"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestPlugModuleGolden(t *testing.T) {
	tests := []struct {
		name string
		p    Plug
	}{
		{"replaced", Plug{Name: "audit", Module: "example.com/acme/audit", Source: "./audit", GoVersion: "1.26", SDKVersion: "v0.0.0", SDKReplace: "../plug"}},
		{"keyword", Plug{Name: "type", Module: "example.com/type", Source: "./plugs/type", GoVersion: "1.26", SDKVersion: "v0.1.0"}},
		{"underscore", Plug{Name: "my_plug-2", Module: "example.com/my_plug", Source: "/abs/my plug", GoVersion: "1.26", SDKVersion: "v0.0.0", SDKReplace: "/src/plugctl/plug`x`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := PlugModule(tt.p)
			if err != nil {
				t.Fatal(err)
			}
			pkg := tt.p.Package()
			want := []string{"README.md", "go.mod", pkg + ".go", pkg + "_test.go", "plugin.yaml"}
			slices.Sort(want)
			if got := slices.Sorted(maps.Keys(files)); !slices.Equal(got, want) {
				t.Fatalf("files %v, want %v", got, want)
			}
			for name, data := range files {
				golden(t, "plug_"+tt.name+"/"+name, data)
				if strings.HasSuffix(name, ".go") {
					f, err := parser.ParseFile(token.NewFileSet(), name, data, parser.PackageClauseOnly)
					if err != nil || f.Name.Name != pkg {
						t.Errorf("%s: package %v, %v; want %s", name, f.Name, err, pkg)
					}
				}
			}
		})
	}
}

func TestPlugPackage(t *testing.T) {
	for name, want := range map[string]string{"audit": "audit", "my-plug": "myplug", "a_b-c": "abc", "type": "typeplug", "func": "funcplug", "go": "goplug"} {
		if got := (Plug{Name: name}).Package(); got != want {
			t.Errorf("Package of %q = %q, want %q", name, got, want)
		}
	}
}

// A name that is not a Go identifier never reaches Go source.
func TestPlugModuleRefusesNonIdentifier(t *testing.T) {
	_, err := PlugModule(Plug{Name: "9lives", Module: "example.com/x", GoVersion: "1.26", SDKVersion: "v0.0.0"})
	if err == nil || !strings.Contains(err.Error(), `"9lives" is not a Go identifier`) {
		t.Errorf("got %v, want an error saying 9lives is not a Go identifier", err)
	}
}
