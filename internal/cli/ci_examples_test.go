package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/testenv"
)

// TestCIExamples: the CI recipes docs/ci.md shows (byte for byte, by
// TestDocsShowTheFiles) are files under examples/ci that at least parse
// and say what plugctl understands. They are not run — they need a bucket
// or a CI system — but each shell script and each job's script passes
// sh -n, every plugctl command line in them names a command and flags
// plugctl has, the workflows have the jobs the docs describe, and every
// plan field a GitHub matrix job reads is one plugctl plan --json writes.
func TestCIExamples(t *testing.T) {
	dir := filepath.Join(testenv.RepoRoot(t), "examples", "ci")
	scripts, _ := filepath.Glob(filepath.Join(dir, "*.sh"))
	if len(scripts) == 0 {
		t.Fatalf("no scripts in %s", dir)
	}
	for _, s := range scripts {
		t.Run(filepath.Base(s), func(t *testing.T) {
			data, err := os.ReadFile(s)
			if err != nil {
				t.Fatal(err)
			}
			checkShell(t, filepath.Base(s), string(data))
			if fi, err := os.Stat(s); err != nil || fi.Mode()&0o111 == 0 {
				t.Errorf("%s is not executable", s)
			}
		})
	}

	t.Run("github-actions.yml", func(t *testing.T) {
		var wf struct {
			Jobs map[string]struct {
				Needs    any `yaml:"needs"`
				Strategy struct {
					Matrix map[string]any `yaml:"matrix"`
				} `yaml:"strategy"`
				Name  string `yaml:"name"`
				Steps []struct {
					Uses string         `yaml:"uses"`
					Run  string         `yaml:"run"`
					With map[string]any `yaml:"with"`
				} `yaml:"steps"`
			} `yaml:"jobs"`
		}
		data := readYAML(t, filepath.Join(dir, "github-actions.yml"), &wf)
		for _, name := range []string{"plan", "build", "checksums"} {
			if _, ok := wf.Jobs[name]; !ok {
				t.Errorf("no job %s", name)
			}
		}
		if inc, _ := wf.Jobs["build"].Strategy.Matrix["include"].(string); !strings.Contains(inc, "fromJSON(needs.plan.outputs.plan).jobs") {
			t.Errorf("the build matrix is %q, want the plan's jobs through fromJSON", inc)
		}
		fields := map[string]bool{}
		for i := range reflect.TypeFor[planJob]().NumField() {
			tag, _, _ := strings.Cut(reflect.TypeFor[planJob]().Field(i).Tag.Get("json"), ",")
			fields[tag] = true
		}
		for _, m := range regexp.MustCompile(`matrix\.([a-z_]+)`).FindAllStringSubmatch(string(data), -1) {
			if !fields[m[1]] {
				t.Errorf("the workflow reads matrix.%s, which no plan job has", m[1])
			}
		}
		for name, job := range wf.Jobs {
			for i, st := range job.Steps {
				if st.Run != "" {
					checkShell(t, name+" step "+string(rune('0'+i)), st.Run)
				}
			}
		}
		// The build job uploads every file beside the artifact: checksums
		// checks them all.
		uploaded := map[string]bool{}
		for _, st := range wf.Jobs["build"].Steps {
			if p, ok := st.With["path"].(string); ok && strings.HasPrefix(st.Uses, "actions/upload-artifact") {
				for _, l := range strings.Split(p, "\n") {
					uploaded[strings.TrimSpace(l)] = true
				}
			}
		}
		for _, suffix := range UploadSuffixes() {
			if !uploaded["${{ matrix.artifact }}"+suffix] {
				t.Errorf("the build job does not upload ${{ matrix.artifact }}%s", suffix)
			}
		}
	})

	t.Run("gitlab-ci.yml", func(t *testing.T) {
		var ci map[string]any
		readYAML(t, filepath.Join(dir, "gitlab-ci.yml"), &ci)
		build, _ := ci["build"].(map[string]any)
		parallel, _ := build["parallel"].(map[string]any)
		if _, ok := parallel["matrix"].([]any); !ok {
			t.Errorf("the build job has no parallel matrix: %v", build["parallel"])
		}
		for _, name := range []string{"plan", "build", "release"} {
			job, ok := ci[name].(map[string]any)
			if !ok {
				t.Errorf("no job %s", name)
				continue
			}
			var lines []string
			for _, l := range job["script"].([]any) {
				lines = append(lines, l.(string))
			}
			checkShell(t, name, strings.Join(lines, "\n"))
		}
		def, _ := ci["default"].(map[string]any)
		var before []string
		for _, l := range def["before_script"].([]any) {
			before = append(before, l.(string))
		}
		checkShell(t, "before_script", strings.Join(before, "\n"))
	})

	// The everyday recipes: one build job, plugctl from a pinned commit.
	t.Run("build-github-actions.yml", func(t *testing.T) {
		var wf struct {
			Jobs map[string]struct {
				Steps []struct {
					Run string `yaml:"run"`
				} `yaml:"steps"`
			} `yaml:"jobs"`
		}
		readYAML(t, filepath.Join(dir, "build-github-actions.yml"), &wf)
		if len(wf.Jobs["build"].Steps) == 0 {
			t.Fatal("no build job with steps")
		}
		for i, st := range wf.Jobs["build"].Steps {
			if st.Run != "" {
				checkShell(t, fmt.Sprintf("build step %d", i), st.Run)
			}
		}
	})
	t.Run("build-gitlab-ci.yml", func(t *testing.T) {
		var ci map[string]struct {
			Script []string `yaml:"script"`
		}
		readYAML(t, filepath.Join(dir, "build-gitlab-ci.yml"), &ci)
		if len(ci["build"].Script) == 0 {
			t.Fatal("no build job with a script")
		}
		checkShell(t, "build", strings.Join(ci["build"].Script, "\n"))
	})
}

// readYAML reads file into v, failing the test on any error.
func readYAML(t *testing.T, file string, v any) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return data
}

// ciExpr is a GitHub Actions expression, ${{ … }}.
var ciExpr = regexp.MustCompile(`\$\{\{[^}]*\}\}`)

// checkShell checks a script: sh -n parses it, and every plugctl command
// line in it names a command and flags plugctl has.
func checkShell(t *testing.T, what, script string) {
	t.Helper()
	script = ciExpr.ReplaceAllString(script, "EXPR")
	cmd := exec.Command("sh", "-n")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s: sh -n: %v\n%s", what, err, out)
	}
	for _, line := range strings.Split(script, "\n") {
		words := strings.Fields(line)
		for i, w := range words {
			if strings.TrimLeft(w, "(") != "plugctl" || (i > 0 && !strings.ContainsAny(words[i-1], ";&|(")) && !strings.HasPrefix(w, "(") {
				continue
			}
			var args []string
			for _, a := range words[i+1:] {
				if strings.ContainsAny(a, ";&|>)") {
					break
				}
				args = append(args, strings.Trim(a, `"'`))
			}
			root := Command()
			c, rest, err := root.Find(args)
			if err != nil || c == root {
				t.Errorf("%s: plugctl %s: no such command", what, strings.Join(args, " "))
				continue
			}
			if err := c.ParseFlags(rest); err != nil {
				t.Errorf("%s: plugctl %s: %v", what, strings.Join(args, " "), err)
			}
		}
	}
}

// UploadSuffixes are what a plan's job uploads of its artifact (the
// binary: ""), as examples/ci/github-actions.yml does (the script
// command planrun uploads these): every file plugctl
// writes beside it, which plugctl checksums checks.
func UploadSuffixes() []string {
	var out []string
	for _, f := range []func(string) string{
		func(p string) string { return p }, artifact.SumPath, artifact.SBOMPath, artifact.SPDXPath, artifact.ProvenancePath, artifact.RecordPath,
	} {
		out = append(out, strings.TrimPrefix(f("x"), "x"))
	}
	return out
}
