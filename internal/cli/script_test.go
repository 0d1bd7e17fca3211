package cli_test

import (
	"debug/buildinfo"
	"debug/elf"
	"debug/pe"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/plugctl/plugctl/internal/cli"
	"github.com/plugctl/plugctl/internal/testenv"
	"github.com/plugctl/plugctl/internal/winres"
)

// update rewrites the cmp golden files inside the scripts with what the
// commands print now: go test ./internal/cli -run TestScripts -update
var update = flag.Bool("update", false, "update the golden files in testdata/script")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		// plugctl runs the real CLI in a child process and records its exit
		// code where the status command can check it.
		"plugctl": func() {
			cli.NoHeartbeat()
			code := cli.Main()
			if f := os.Getenv("PLUGCTL_TEST_STATUS"); f != "" {
				os.WriteFile(f, []byte(strconv.Itoa(code)), 0o644)
			}
			os.Exit(code)
		},
		// cacheprog is a build cache program for GOCACHEPROG
		// (cacheprog_test.go).
		"cacheprog": cacheProg,
	})
}

// TestScripts runs every behaviour script under testdata/script. Each script
// gets its own HOME, an empty GOPATH and module cache shared with no other
// test run, GOPROXY=off unless it sets GOPROXY=$TESTPROXY (a file:// proxy
// built from internal/testenv/testdata/proxy), and GOTOOLCHAIN=local:
// the suite passes with the network unplugged. GOCACHE is the developer's, so
// the example core compiles once, not once per script.
func TestScripts(t *testing.T) { runScripts(t, "script") }

// runScripts runs the scripts of testdata/DIR with the set-up above.
func runScripts(t *testing.T, dir string) { runScriptDir(t, filepath.Join("testdata", dir)) }

// runScriptDir runs the scripts of the directory dir with the set-up above.
func runScriptDir(t *testing.T, dir string) {
	repo := testenv.RepoRoot(t)
	gocache := testenv.GoCache(t)
	modcache := testenv.ModCache(t)
	proxy := testenv.Proxy(t)
	modcacheProxy := modCacheProxy(t)
	goversion, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:           dir,
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, ".home")
			if err := os.MkdirAll(home, 0o755); err != nil {
				return err
			}
			env.Setenv("REPO", repo)
			env.Setenv("HOME", home)
			env.Setenv("GOPATH", filepath.Join(home, "go"))
			env.Setenv("GOCACHE", gocache)
			env.Setenv("GOMODCACHE", modcache)
			env.Setenv("GOPROXY", "off")
			// The test module proxy (internal/testenv/testdata/proxy), for
			// scripts that set GOPROXY=$TESTPROXY.
			env.Setenv("TESTPROXY", proxy)
			// The developer's module cache as a proxy, for the docs
			// scripts' go install of plugctl (docs_test.go).
			env.Setenv("MODCACHEPROXY", modcacheProxy)
			// The vulnerability database fixture of plugctl audit
			// (internal/testenv/testdata/vulndb): GO-2099-0001 in
			// example.com/vulnlib/parse.Unsafe before v1.0.1.
			env.Setenv("TESTVULNDB", filepath.Join(repo, "internal", "testenv", "testdata", "vulndb"))
			// The toolchain plugctl locks with, for goldens (cmpenv).
			env.Setenv("GOVERSION", strings.TrimSpace(string(goversion)))
			env.Setenv("GOSUMDB", "off")
			env.Setenv("GOTOOLCHAIN", "local")
			env.Setenv("GOFLAGS", "")
			env.Setenv("NO_COLOR", "1")
			env.Setenv("PLUGCTL_TEST_STATUS", filepath.Join(env.WorkDir, ".status"))
			env.Setenv("HOSTTARGET", runtime.GOOS+"/"+runtime.GOARCH)
			// git, for scripts that make repositories: no system config,
			// a fixed identity and clock (pseudo-versions read the commit
			// time).
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			for _, who := range []string{"AUTHOR", "COMMITTER"} {
				env.Setenv("GIT_"+who+"_NAME", "Test")
				env.Setenv("GIT_"+who+"_EMAIL", "test@example.com")
				env.Setenv("GIT_"+who+"_DATE", "2024-01-02T03:04:05Z")
			}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "unshare":
				return exec.Command("unshare", "-n", "true").Run() == nil, nil
			case "userns":
				// A user and mount namespace in which a small tmpfs can be
				// mounted: a full or read-only file system without root.
				return exec.Command("unshare", "-rm", "sh", "-c", `mount -t tmpfs -o size=16k tmpfs "$1"`, "sh", t.TempDir()).Run() == nil, nil
			}
			return false, nil
		},
		Cmds: merge(map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"example":     cmdExample,
			"docsclone":   cmdDocsClone,
			"status":      cmdStatus,
			"stdoutbytes": cmdStdoutBytes,
			"static":      cmdStatic,
			"stripped":    cmdStripped,
			"buildinfo":   cmdBuildInfo,
			"cmpjson":     cmdCmpJSON,
			"mtime":       cmdMtime,
			"deps":        cmdDeps,
			"mkarchive":   cmdMkArchive,
			"envsubst":    cmdEnvsubst,
			"httpsfiles":  cmdHTTPSFiles,
			"stdoutenv":   cmdStdoutEnv,
			"tarlist":     cmdTarList,
			"winres":      cmdWinres,
		}, hostileCmds, airgapCmds, opensCmds, planCmds, mirrorCmds, supplyCmds),
	})
}

// cmdExample links the repository's example core, plugs and SDK into the
// script's directory and copies plugconfig.example.yaml to plugconfig.yaml,
// so scripts build the real example without writing into the repository.
func cmdExample(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: example")
	}
	repo := ts.Getenv("REPO")
	for _, name := range []string{"examples", "plug"} {
		ts.Check(os.Symlink(filepath.Join(repo, name), ts.MkAbs(name)))
	}
	if _, err := os.Stat(ts.MkAbs("plugconfig.yaml")); err == nil {
		return // the script brings its own config
	}
	data, err := os.ReadFile(filepath.Join(repo, "plugconfig.example.yaml"))
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs("plugconfig.yaml"), data, 0o644))
}

// cmdStatus checks the exit code of the last plugctl run: status N.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: status CODE")
	}
	got, err := os.ReadFile(ts.Getenv("PLUGCTL_TEST_STATUS"))
	ts.Check(err)
	if string(got) != args[0] {
		ts.Fatalf("plugctl exited %s, want %s", got, args[0])
	}
}

// cmdStdoutBytes compares the last command's stdout with a Go-quoted string,
// byte for byte: stdoutbytes '"a\x00b"'.
func cmdStdoutBytes(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: stdoutbytes QUOTED")
	}
	want, err := strconv.Unquote(args[0])
	ts.Check(err)
	got := ts.ReadFile("stdout")
	if (got == want) == neg {
		ts.Fatalf("stdout is %q, want %q", got, want)
	}
}

// cmdStatic checks that an ELF binary is statically linked: no interpreter
// and no dynamic section.
func cmdStatic(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: static FILE")
	}
	f, err := elf.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			ts.Fatalf("%s is dynamically linked", args[0])
		}
	}
}

// cmdStripped checks that an ELF binary has no symbol table, as the linker
// flag -s leaves it (go build -trimpath does not record -ldflags in the
// binary's build information, so it is checked by its effect).
func cmdStripped(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: stripped FILE")
	}
	f, err := elf.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	if (f.Section(".symtab") == nil) == neg {
		ts.Fatalf("%s: symbol table present: %v, want %v", args[0], f.Section(".symtab") != nil, neg)
	}
}

// cmdWinres checks the version resource of a Windows binary, read back
// from its PE file: winres FILE KEY=VALUE... (the key "" is the numeric
// file version, a.b.c.d); "! winres FILE" checks it has none.
func cmdWinres(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || neg != (len(args) == 1) {
		ts.Fatalf("usage: winres FILE KEY=VALUE... | ! winres FILE")
	}
	f, err := pe.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	have, err := winres.Strings(f)
	if neg {
		if err == nil {
			ts.Fatalf("%s: a version resource: %v", args[0], have)
		}
		return
	}
	ts.Check(err)
	for _, kv := range args[1:] {
		k, v, _ := strings.Cut(kv, "=")
		if have[k] != v {
			ts.Fatalf("%s: version resource %s = %q, want %q (all: %q)", args[0], k, have[k], v, have)
		}
	}
}

// cmdBuildInfo checks build settings recorded in a binary:
// buildinfo FILE KEY=VALUE...
func cmdBuildInfo(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: buildinfo FILE KEY=VALUE...")
	}
	bi, err := buildinfo.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	have := map[string]string{}
	for _, s := range bi.Settings {
		have[s.Key] = s.Value
	}
	for _, kv := range args[1:] {
		k, v, _ := strings.Cut(kv, "=")
		if have[k] != v {
			ts.Fatalf("%s: build setting %s = %q, want %q", args[0], k, have[k], v)
		}
	}
}

// cmdCmpJSON compares a JSON document with a golden one: cmpjson FILE GOLDEN.
// Both are parsed and compared as values, so the golden may be laid out as
// the reader likes. In the golden, $WORK is the script's directory,
// $HOSTTARGET the host's os/arch, and a
// string "~REGEXP" matches any string or number whose text REGEXP matches
// in full: sha256 digests and sizes vary with the toolchain.
func cmdCmpJSON(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: cmpjson FILE GOLDEN")
	}
	var got, want any
	if err := json.Unmarshal([]byte(ts.ReadFile(args[0])), &got); err != nil {
		ts.Fatalf("%s is not JSON: %v", args[0], err)
	}
	golden := strings.NewReplacer("$WORK", ts.Getenv("WORK"), "$HOSTTARGET", ts.Getenv("HOSTTARGET")).Replace(ts.ReadFile(args[1]))
	if err := json.Unmarshal([]byte(golden), &want); err != nil {
		ts.Fatalf("%s is not JSON: %v", args[1], err)
	}
	if err := matchJSON("$", got, want); err != nil {
		ts.Logf("%s:\n%s", args[0], ts.ReadFile(args[0]))
		ts.Fatalf("%s does not match %s: %v", args[0], args[1], err)
	}
}

func matchJSON(path string, got, want any) error {
	if pat, ok := want.(string); ok && strings.HasPrefix(pat, "~") {
		var text string
		switch g := got.(type) {
		case string:
			text = g
		case float64:
			text = strconv.FormatFloat(g, 'f', -1, 64)
		default:
			return fmt.Errorf("%s: got %v, want a string or number matching %s", path, got, pat[1:])
		}
		if !regexp.MustCompile(`^(?:` + pat[1:] + `)$`).MatchString(text) {
			return fmt.Errorf("%s: %q does not match %s", path, text, pat[1:])
		}
		return nil
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: got %v, want an object", path, got)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				return fmt.Errorf("%s: unexpected key %q", path, k)
			}
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("%s: missing key %q", path, k)
			}
			if err := matchJSON(path+"."+k, gv, wv); err != nil {
				return err
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: got %v, want a list of %d", path, got, len(w))
		}
		for i := range w {
			if err := matchJSON(fmt.Sprintf("%s[%d]", path, i), g[i], w[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("%s: got %#v, want %#v", path, got, want)
	}
	return nil
}

// oldTime is the modification time "mtime set" gives a file: far enough in
// the past that any rewrite of the file changes it.
var oldTime = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)

// cmdMtime tells a file rewritten from one left alone: "mtime set FILE"
// dates it back to 2001; "mtime old FILE" checks it still has that date
// ("! mtime old FILE": it was written since).
func cmdMtime(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || (args[0] == "set" && neg) {
		ts.Fatalf("usage: mtime set|old FILE")
	}
	path := ts.MkAbs(args[1])
	switch args[0] {
	case "set":
		ts.Check(os.Chtimes(path, oldTime, oldTime))
	case "old":
		fi, err := os.Stat(path)
		ts.Check(err)
		if fi.ModTime().Equal(oldTime) == neg {
			ts.Fatalf("%s modified at %s; want it left alone: %v", args[1], fi.ModTime(), !neg)
		}
	default:
		ts.Fatalf("usage: mtime set|old FILE")
	}
}

// cmdDeps prints the modules compiled into a binary, one "path version"
// line each (with " => replacement" for replaced ones), as its build
// information records them: deps FILE.
func cmdDeps(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: deps FILE")
	}
	bi, err := buildinfo.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	for _, d := range bi.Deps {
		line := d.Path + " " + d.Version
		if r := d.Replace; r != nil {
			line += " => " + strings.TrimSpace(r.Path+" "+r.Version)
		}
		fmt.Fprintln(ts.Stdout(), line)
	}
}

// merge returns the commands of every map.
func merge(maps ...map[string]func(ts *testscript.TestScript, neg bool, args []string)) map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	all := map[string]func(ts *testscript.TestScript, neg bool, args []string){}
	for _, m := range maps {
		for k, v := range m {
			all[k] = v
		}
	}
	return all
}
