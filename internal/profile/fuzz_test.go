package profile

import (
	"testing"
	"testing/fstest"
)

// FuzzParse feeds Parse any text: it reports problems, never panics, and a
// profile it accepts has only valid names in it.
func FuzzParse(f *testing.F) {
	ps, err := Shipped()
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range ps {
		f.Add(string(p.raw))
	}
	f.Add("kinds: {a: {suffix: x, max: 2}}\ndefaults: [{kind: a, module: a.b/c, version-of: a.b/d}]\n")
	f.Add("order: {file: a/b.go, var: X}\nentry: Run(context.Background(), F(name))\n")
	fsys := fstest.MapFS{"main.go.tmpl": {Data: []byte("package main\n")}}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse("p.yaml", "p", []byte(text), fsys)
		if err != nil {
			return
		}
		for _, k := range s.Kinds {
			if !kindRE.MatchString(k.Name) {
				t.Fatalf("accepted kind %q", k.Name)
			}
		}
		if s.Has("entry") && s.Call == nil {
			t.Fatal("an accepted entry without its call")
		}
	})
}
