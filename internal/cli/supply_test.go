package cli_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// supplyCmds are the script commands of the supply-chain scripts.
var supplyCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"sbomcheck": cmdSBOMCheck,
}

// cmdSBOMCheck cross-checks the modules of a binary three ways: what
// `go version -m BINARY` lists (its dep lines, a replacement's version
// when it has one), the components of BINARY.cdx.json and the packages of
// BINARY.spdx.json (the binary's own package aside). All three must list
// the same modules at the same versions: sbomcheck BINARY.
func cmdSBOMCheck(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sbomcheck BINARY")
	}
	bin := ts.MkAbs(args[0])
	out, err := exec.Command("go", "version", "-m", bin).CombinedOutput()
	if err != nil {
		ts.Fatalf("go version -m: %v\n%s", err, out)
	}
	var goList []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[0] == "dep":
			goList = append(goList, f[1]+"@"+f[2])
		case len(f) >= 3 && f[0] == "=>" && len(goList) > 0 && strings.HasPrefix(f[2], "v"):
			// A replacement at a version: the SBOMs give the version built.
			last := goList[len(goList)-1]
			goList[len(goList)-1] = last[:strings.LastIndex(last, "@")+1] + f[2]
		}
	}
	var cdx struct {
		SpecVersion string
		Components  []struct{ Name, Version string }
	}
	if err := json.Unmarshal([]byte(ts.ReadFile(args[0]+".cdx.json")), &cdx); err != nil {
		ts.Fatalf("%s.cdx.json: %v", args[0], err)
	}
	var cdxList []string
	for _, c := range cdx.Components {
		cdxList = append(cdxList, c.Name+"@"+c.Version)
	}
	var spdx struct {
		SPDXVersion string
		Packages    []struct {
			SPDXID      string
			Name        string
			VersionInfo string
		}
	}
	if err := json.Unmarshal([]byte(ts.ReadFile(args[0]+".spdx.json")), &spdx); err != nil {
		ts.Fatalf("%s.spdx.json: %v", args[0], err)
	}
	var spdxList []string
	for _, p := range spdx.Packages {
		if p.SPDXID != "SPDXRef-Artifact" {
			spdxList = append(spdxList, p.Name+"@"+p.VersionInfo)
		}
	}
	if cdx.SpecVersion != "1.6" || spdx.SPDXVersion != "SPDX-2.3" {
		ts.Fatalf("formats: CycloneDX %s, %s; want 1.6 and SPDX-2.3", cdx.SpecVersion, spdx.SPDXVersion)
	}
	for _, l := range [][]string{goList, cdxList, spdxList} {
		slices.Sort(l)
	}
	if len(goList) == 0 {
		ts.Fatalf("go version -m lists no module:\n%s", out)
	}
	if !slices.Equal(goList, cdxList) || !slices.Equal(goList, spdxList) {
		ts.Fatalf("the modules differ:\ngo version -m: %s\nCycloneDX:     %s\nSPDX:          %s", strings.Join(goList, " "), strings.Join(cdxList, " "), strings.Join(spdxList, " "))
	}
	fmt.Fprintf(ts.Stdout(), "%d modules in go version -m, CycloneDX and SPDX\n", len(goList))
}
