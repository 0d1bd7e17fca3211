package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// Script commands for the lock cases of the corpus: an attacker edits
// fields of a lock written by plugctl (a pull request may change any line).

// cmdGitRev sets the variable VAR to the full hash of the commit REV names
// in the repository of the current directory: gitrev VAR REV.
func cmdGitRev(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gitrev VAR REV")
	}
	cmd := exec.Command("git", "rev-parse", "--verify", "--end-of-options", args[1]+"^{commit}")
	cmd.Dir = ts.MkAbs(".")
	out, err := cmd.Output()
	ts.Check(err)
	ts.Setenv(args[0], strings.TrimSpace(string(out)))
}

// lockField finds the object holding the field a path names in a lock
// (config_digest, core.version, plugins.NAME.origin.ref) and the field's
// name in it.
func lockField(ts *testscript.TestScript, doc map[string]any, path string) (map[string]any, string) {
	parts := strings.Split(path, ".")
	obj := doc
	for i := 0; i < len(parts)-1; i++ {
		switch v := obj[parts[i]].(type) {
		case map[string]any:
			obj = v
		case []any: // plugins: the next part is a name
			i++
			var found map[string]any
			for _, e := range v {
				if m, ok := e.(map[string]any); ok && m["name"] == parts[i] {
					found = m
				}
			}
			if found == nil || i == len(parts)-1 {
				ts.Fatalf("lock has no entry %s", strings.Join(parts[:i+1], "."))
			}
			obj = found
		default:
			ts.Fatalf("lock has no object %s", strings.Join(parts[:i+1], "."))
		}
	}
	return obj, parts[len(parts)-1]
}

// cmdLockGet sets the variable VAR to the string a path names in the lock
// FILE: lockget VAR FILE PATH.
func cmdLockGet(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: lockget VAR FILE PATH")
	}
	var doc map[string]any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[1])), &doc))
	obj, key := lockField(ts, doc, args[2])
	s, ok := obj[key].(string)
	if !ok {
		ts.Fatalf("%s: %s is not a string", args[1], args[2])
	}
	ts.Setenv(args[0], s)
}

// cmdLockEdit sets fields of the lock FILE, as an attacker would, keeping
// its layout: lockedit FILE PATH=VALUE... An empty VALUE removes the field.
func cmdLockEdit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: lockedit FILE PATH=VALUE...")
	}
	var doc map[string]any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &doc))
	for _, kv := range args[1:] {
		path, value, ok := strings.Cut(kv, "=")
		if !ok {
			ts.Fatalf("lockedit: %q is not PATH=VALUE", kv)
		}
		obj, key := lockField(ts, doc, path)
		if value == "" {
			delete(obj, key)
		} else {
			obj[key] = value
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	ts.Check(enc.Encode(doc))
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b.Bytes(), 0o644))
}
