package cli_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/plugctl/plugctl/internal/testenv"
	"github.com/plugctl/plugctl/internal/vendortree"
)

// The testscript commands of the air-gapped build scripts (vendor_*, bundle_*,
// build_offline*, build_interrupt, build_concurrent).
var airgapCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"airgap":   cmdAirgap,
	"tamper":   cmdTamper,
	"genplug":  cmdGenPlug,
	"waitfor":  cmdWaitFor,
	"glob":     cmdGlob,
	"modproxy": cmdModProxy,
	"sleep":    cmdSleep,
}

// cmdAirgap turns the script's environment into an air-gapped machine's:
// PATH holds only go, plugctl and unshare (no git, no other tool), the module
// cache is a directory that does not exist, GOPROXY and GOSUMDB are off, HOME
// and GOPATH point nowhere, and GOFLAGS asks for -mod=mod, which plugctl must
// override. GOCACHE stays shared: it holds compiled packages, not sources.
func cmdAirgap(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: airgap")
	}
	bin := ts.MkAbs(".airgap-bin")
	ts.Check(os.MkdirAll(bin, 0o755))
	link := func(name string, required bool) {
		p, err := lookPath(ts.Getenv("PATH"), name)
		if err != nil {
			if required {
				ts.Fatalf("airgap: %v", err)
			}
			return
		}
		ts.Check(os.Symlink(p, filepath.Join(bin, name)))
	}
	link("go", true)
	link("plugctl", true)
	link("unshare", false)
	ts.Setenv("PATH", bin)
	if _, err := lookPath(bin, "git"); err == nil {
		ts.Fatalf("airgap: git is still on PATH")
	}
	nowhere := ts.MkAbs(".airgap-nowhere")
	ts.Setenv("GOMODCACHE", filepath.Join(nowhere, "modcache"))
	ts.Setenv("GOPATH", filepath.Join(nowhere, "gopath"))
	ts.Setenv("HOME", filepath.Join(nowhere, "home"))
	ts.Setenv("GOPROXY", "off")
	ts.Setenv("GOSUMDB", "off")
	ts.Setenv("GOFLAGS", "-mod=mod")
	ts.Setenv("GIT_DIR", filepath.Join(nowhere, "git"))
}

func lookPath(path, name string) (string, error) {
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found on PATH", name)
}

// cmdTamper damages one file of a tree: tamper KIND FILE, KIND one of
// edit (flip a byte, same size), truncate (to half), extend (append a line),
// add (create FILE), remove, chmodx (make executable) or symlink (replace by
// a link to a copy with the same content); tamper relist TREE lists the
// tree's files again in its manifest, as whoever edits them can.
func cmdTamper(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: tamper edit|truncate|extend|add|remove|chmodx|symlink FILE, or tamper relist TREE")
	}
	p := ts.MkAbs(args[1])
	switch args[0] {
	case "edit":
		data, err := os.ReadFile(p)
		ts.Check(err)
		data[len(data)/2] ^= 0x01
		ts.Check(os.WriteFile(p, data, 0o644))
	case "truncate":
		fi, err := os.Stat(p)
		ts.Check(err)
		ts.Check(os.Truncate(p, fi.Size()/2))
	case "extend":
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
		ts.Check(err)
		_, err = f.WriteString("\nfunc init() { println(\"injected\") }\n")
		ts.Check(err)
		ts.Check(f.Close())
	case "add":
		ts.Check(os.WriteFile(p, []byte("package evil\n"), 0o644))
	case "remove":
		ts.Check(os.Remove(p))
	case "chmodx":
		ts.Check(os.Chmod(p, 0o755))
	case "relist":
		// What an attacker who edits files does next: list them again in
		// the tree's manifest, so that the tree matches it.
		m, _, err := vendortree.Read(p)
		ts.Check(err)
		m.Files, err = vendortree.Scan(p)
		ts.Check(err)
		data, err := vendortree.Encode(m)
		ts.Check(err)
		ts.Check(os.WriteFile(filepath.Join(p, vendortree.ManifestName), data, 0o644))
	case "symlink":
		data, err := os.ReadFile(p)
		ts.Check(err)
		target := ts.MkAbs(".tamper-" + filepath.Base(p))
		ts.Check(os.WriteFile(target, data, 0o644))
		ts.Check(os.Remove(p))
		ts.Check(os.Symlink(target, p))
	default:
		ts.Fatalf("tamper: unknown kind %q", args[0])
	}
}

// cmdGenPlug writes a plug for the SDK whose content is random, so that
// nothing of it is in the shared build cache: genplug DIR MODULE FUNCS DATAKB
// makes DIR/go.mod for MODULE, a Go file registering the plug (named after
// DIR) with FUNCS generated functions (about 3000 take a second to compile),
// and a DATAKB-kilobyte data file beside it, which vendoring copies twice and
// hashes.
func cmdGenPlug(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: genplug DIR MODULE FUNCS DATAKB")
	}
	dir := ts.MkAbs(args[0])
	name := filepath.Base(dir)
	var funcs, kb int
	_, err := fmt.Sscan(args[2]+" "+args[3], &funcs, &kb)
	ts.Check(err)
	ts.Check(os.MkdirAll(dir, 0o755))
	gomod := "module " + args[1] + "\n\ngo 1.26\n\nrequire github.com/plugctl/plugctl/plug v0.0.0\n"
	ts.Check(os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644))
	seed := make([]byte, 8)
	rand.Read(seed)
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Package %s is generated to take long to compile.\npackage %s\n\nimport \"github.com/plugctl/plugctl/plug\"\n\n", name, name)
	fmt.Fprintf(&b, "const Seed = %q\n\nfunc init() {\n\tplug.Register(plug.Plugin{Name: %q, Version: \"v0.0.0\", Init: func(*plug.Context) error { return nil }})\n}\n", hex.EncodeToString(seed), name)
	for i := range funcs {
		fmt.Fprintf(&b, "\nfunc F%d(x int) int {\n\tif x > %d {\n\t\treturn x*%d + len(Seed)\n\t}\n\tfor j := 0; j < x; j++ {\n\t\tx += j ^ %d\n\t}\n\treturn x\n}\n", i, i, i+7, i)
	}
	ts.Check(os.WriteFile(filepath.Join(dir, "gen.go"), b.Bytes(), 0o644))
	data := make([]byte, kb<<10)
	rand.Read(data)
	ts.Check(os.WriteFile(filepath.Join(dir, "data.bin"), data, 0o644))
}

// cmdWaitFor polls until a file matching the glob PATTERN exists, and with
// -grep REGEXP until such a file's content matches REGEXP; it gives up after
// a minute. It lets a script act while a background plugctl is mid-way.
func cmdWaitFor(ts *testscript.TestScript, neg bool, args []string) {
	var re *regexp.Regexp
	if len(args) == 3 && args[0] == "-grep" {
		re = regexp.MustCompile(args[1])
		args = args[2:]
	}
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfor [-grep REGEXP] PATTERN")
	}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		matches, _ := filepath.Glob(ts.MkAbs(args[0]))
		for _, m := range matches {
			if re == nil {
				return
			}
			if data, err := os.ReadFile(m); err == nil && re.Match(data) {
				return
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	ts.Fatalf("waitfor %s: nothing after a minute", strings.Join(args, " "))
}

// cmdSleep pauses the script: sleep DURATION (300ms, 1s).
func cmdSleep(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sleep DURATION")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	time.Sleep(d)
}

// cmdGlob checks that the glob PATTERN matches something ([!] nothing).
func cmdGlob(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: [!] glob PATTERN")
	}
	matches, err := filepath.Glob(ts.MkAbs(args[0]))
	ts.Check(err)
	if neg && len(matches) > 0 {
		ts.Fatalf("%s matches %v", args[0], matches)
	}
	if !neg && len(matches) == 0 {
		ts.Fatalf("%s matches nothing", args[0])
	}
}

// cmdModProxy builds a file:// module proxy at DST from the module trees
// under SRC (SRC/<module>@<version>/…), as testenv.BuildProxy does for the
// shared test proxy: modproxy SRC DST.
func cmdModProxy(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: modproxy SRC DST")
	}
	ts.Check(testenv.BuildProxy(ts.MkAbs(args[0]), ts.MkAbs(args[1])))
}
