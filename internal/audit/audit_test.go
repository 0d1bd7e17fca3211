package audit_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/audit"
	"github.com/plugctl/plugctl/internal/policy"
	"github.com/plugctl/plugctl/internal/testenv"
)

// TestReachable audits two programs against the fixture database
// (internal/testenv/testdata/vulndb): both build with example.com/vulnlib
// v1.0.0, whose parse.Unsafe is vulnerable (GO-2099-0001); only the one
// whose plug calls it has it called, with the call path from main.
func TestReachable(t *testing.T) {
	proxy := testenv.Proxy(t)
	db := filepath.Join(testenv.RepoRoot(t), "internal", "testenv", "testdata", "vulndb")
	env := append(os.Environ(), "GOPROXY="+proxy, "GOSUMDB=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local",
		"GOMODCACHE="+testenv.ModCache(t), "GOCACHE="+testenv.GoCache(t), "GOWORK=off")
	for _, tt := range []struct {
		name, plug string
		level      policy.Level
		path       []string
	}{
		{"called", "example.com/callsvuln", audit.Called, []string{"example.com/prog.init", "example.com/callsvuln.init", "example.com/callsvuln.init#1", "example.com/vulnlib/parse.Unsafe"}},
		{"imported", "example.com/importsvuln", audit.Imported, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "go.mod", "module example.com/prog\n\ngo 1.22\n")
			write(t, dir, "main.go", "package main\n\nimport (\n\t_ \""+tt.plug+"\"\n\n\t\"example.com/server/app\"\n)\n\nfunc main() { app.Main() }\n")
			tidy := exec.Command("go", "mod", "tidy")
			tidy.Dir, tidy.Env = dir, env
			if out, err := tidy.CombinedOutput(); err != nil {
				t.Fatalf("go mod tidy: %v\n%s", err, out)
			}
			r, err := audit.Run(context.Background(), audit.Options{DB: audit.DBURL(db, ""), Dir: dir, Env: env})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Findings) != 1 {
				t.Fatalf("findings = %+v, want GO-2099-0001 alone", r.Findings)
			}
			f := r.Findings[0]
			if f.ID != "GO-2099-0001" || f.Module != "example.com/vulnlib" || f.Version != "v1.0.0" || f.Fixed != "v1.0.1" || f.Level != tt.level {
				t.Errorf("finding = %+v, want GO-2099-0001 in example.com/vulnlib v1.0.0, fixed in v1.0.1, %v", f, tt.level)
			}
			var path []string
			for _, fr := range f.CallPath {
				path = append(path, fr.Package+"."+fr.Function)
			}
			if strings.Join(path, " ") != strings.Join(tt.path, " ") {
				t.Errorf("call path = %q, want %q", path, tt.path)
			}
			if n := len(r.Failing(policy.Called)); (n == 1) != (tt.level == audit.Called) {
				t.Errorf("Failing(called) = %d findings", n)
			}
			if n := len(r.Failing(policy.Imported)); n != 1 {
				t.Errorf("Failing(imported) = %d findings, want 1", n)
			}
			if n := len(r.Failing(policy.Off)); n != 0 {
				t.Errorf("Failing(off) = %d findings, want 0", n)
			}
		})
	}
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
