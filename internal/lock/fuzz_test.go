package lock

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzParse checks that Parse never panics, and that whatever it accepts
// survives Marshal and Parse again unchanged. The seeds include every lock
// of the CLI's scripts and hostile-input corpus.
func FuzzParse(f *testing.F) {
	valid, err := os.ReadFile("testdata/valid.lock")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	// Every lock the CLI's scripts and hostile-input corpus hold.
	archives, _ := filepath.Glob(filepath.Join("..", "cli", "testdata", "*", "*.txtar"))
	for _, name := range archives {
		a, err := txtar.ParseFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range a.Files {
			if strings.HasSuffix(file.Name, ".lock") {
				f.Add(file.Data)
			}
		}
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"lock_version": 1, "plugins": null, "modules": [{"path": "a.b/c", "version": "v1.0.0", "hash": "h1:x"}]}`))
	f.Add([]byte("{\"core\": {\"origin\": {\"kind\": \"git\", \"commit\": \"zz\"}}, \"core\": 1}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lf, err := Parse("f.lock", data)
		if err != nil {
			return
		}
		out, err := Marshal(lf)
		if err != nil {
			t.Fatalf("Marshal of a parsed lock: %v", err)
		}
		again, err := Parse("f.lock", out)
		if err != nil {
			t.Fatalf("Parse(Marshal(Parse(x))): %v\n%s", err, out)
		}
		if !reflect.DeepEqual(normal(lf), normal(again)) {
			t.Fatalf("round trip changed the lock:\n%+v\n%+v", lf, again)
		}
	})
}

// normal makes nil and empty lists equal, as JSON cannot tell them apart
// after Marshal writes [].
func normal(f *File) File {
	c := *f
	c.asWritten = "" // how the file was written, not what it pins
	if c.Plugins == nil {
		c.Plugins = []Entry{}
	}
	if c.Modules == nil {
		c.Modules = []Module{}
	}
	return c
}
