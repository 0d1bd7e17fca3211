package lock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
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
	f.Add([]byte(strings.Replace(string(valid), `"module": "example.com/server"`, `"Module": "example.com/server"`, 1)))
	f.Add([]byte(strings.Replace(string(valid), `"go": "go1.26.8",`, `"go": "go1.26.8", "go": "go1.26.8",`, 1)))
	f.Add(append(valid, "{}"...))
	f.Add([]byte(strings.Replace(string(valid), `"kind": "module"`, `"kind": "proxy"`, 1)))
	f.Add([]byte(strings.Replace(strings.Replace(string(valid), `"lock_version": 1`, `"lock_version": 2`, 1),
		`"version": "v0.2.1",
      "hash"`, `"version": "v0.2.1",
      "require": "none",
      "hash"`, 1)))
	f.Add([]byte(strings.Replace(string(valid), "\"path\": \"./local\"\n      }", "\"path\": \"./local\"\n      },\n      \"hooks\": [[\"go\", \"run\", \"./gen\"], [\"sh\", \"-c\", \"a \\\"b\\\"\", \"\"]]", 1)))
	f.Add([]byte(strings.Replace(string(valid), `"example.com/local",`, `"example.com/l\u006fcal",`, 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		lf, err := Parse("f.lock", data)
		slow, serr := parse("f.lock", data, false)
		if fmt.Sprint(err) != fmt.Sprint(serr) {
			t.Fatalf("Parse and the token walk disagree:\n%v\n%v", err, serr)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(lf, slow) {
			t.Fatalf("Parse and the token walk read different locks:\n%+v\n%+v", lf, slow)
		}
		out, err := Marshal(lf)
		if err != nil {
			t.Fatalf("Marshal of a parsed lock: %v", err)
		}
		if want := jsonMarshal(t, lf); !bytes.Equal(out, want) {
			t.Fatalf("Marshal is not encoding/json's encoding:\n%s\n%s", out, want)
		}
		c := *lf
		c.Go, c.digest = "", ""
		want := sumOf(jsonMarshal(t, &c))
		if sum, _ := lf.ContentDigest(); sum != want {
			t.Fatalf("ContentDigest %s is not the digest of the canonical encoding, %s", sum, want)
		}
		if sum := lf.ParsedDigest(); sum != want {
			t.Fatalf("ParsedDigest %s is not the digest of the canonical encoding, %s", sum, want)
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

// jsonMarshal is what Marshal wrote before it wrote the lock directly:
// encoding/json's encoding, which it must go on matching byte for byte
// (the digests vendor trees and artifacts record depend on it).
func jsonMarshal(t *testing.T, f *File) []byte {
	c := *f
	c.Plugins = slices.Clone(f.Plugins)
	c.Modules = slices.Clone(f.Modules)
	if c.Plugins == nil {
		c.Plugins = []Entry{}
	}
	if c.Modules == nil {
		c.Modules = []Module{}
	}
	c.Sort()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&c); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// normal makes nil and empty lists equal, as JSON cannot tell them apart
// after Marshal writes [].
func normal(f *File) File {
	c := *f
	c.asWritten = "" // how the file was written, not what it pins
	c.digest = ""
	if c.Plugins == nil {
		c.Plugins = []Entry{}
	}
	if c.Modules == nil {
		c.Modules = []Module{}
	}
	return c
}
