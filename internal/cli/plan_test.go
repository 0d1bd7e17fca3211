package cli_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/plugctl/plugctl/internal/cli"
)

// planCmds stand for a CI system running a plan's jobs.
var planCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"planrun": cmdPlanRun,
	"spoil":   cmdSpoil,
}

// cmdPlanRun runs the command of each job of a plan (plugctl plan --json)
// and copies its artifact, with the files beside it, to DIR/ID/, as a CI
// matrix job would upload it: planrun [-only PREFIX] PLAN DIR runs the
// jobs whose id starts with PREFIX.
func cmdPlanRun(ts *testscript.TestScript, neg bool, args []string) {
	only := ""
	if len(args) == 4 && args[0] == "-only" {
		only, args = args[1], args[2:]
	}
	if neg || len(args) != 2 {
		ts.Fatalf("usage: planrun [-only PREFIX] PLAN DIR")
	}
	var plan struct {
		Jobs []struct {
			ID       string
			Args     []string
			Artifact string
		}
	}
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &plan))
	for _, j := range plan.Jobs {
		if !strings.HasPrefix(j.ID, only) {
			continue
		}
		if len(j.Args) == 0 || j.Args[0] != "plugctl" {
			ts.Fatalf("job %s: command %q is not plugctl's", j.ID, j.Args)
		}
		ts.Check(ts.Exec("plugctl", j.Args[1:]...))
		dir := ts.MkAbs(filepath.Join(args[1], j.ID))
		ts.Check(os.MkdirAll(dir, 0o755))
		for _, suffix := range cli.UploadSuffixes() {
			data, err := os.ReadFile(ts.MkAbs(j.Artifact + suffix))
			ts.Check(err)
			ts.Check(os.WriteFile(filepath.Join(dir, filepath.Base(j.Artifact)+suffix), data, 0o755))
		}
	}
}

// cmdSpoil appends a byte to every file named NAME below DIR: spoil DIR NAME.
func cmdSpoil(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: spoil DIR NAME")
	}
	n := 0
	ts.Check(filepath.WalkDir(ts.MkAbs(args[0]), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != args[1] {
			return err
		}
		n++
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = f.Write([]byte{0})
		return err
	}))
	if n == 0 {
		ts.Fatalf("no %s below %s", args[1], args[0])
	}
}
