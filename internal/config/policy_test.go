package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/policy"
)

func TestLoadPolicy(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p, err := LoadPolicy(write("site.yaml", "signatures: required\naudit: build\nvulnerabilities: imported\nmodules: [example.com]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Site || !p.Signatures || !p.AuditBuild || p.Vulnerabilities != policy.Imported || len(p.Modules) != 1 || p.AuditPos.Line != 2 {
		t.Errorf("LoadPolicy = %+v", p)
	}
	if p, err := LoadPolicy(write("empty.yaml", "")); err != nil || !p.Site || p.AuditBuild {
		t.Errorf("an empty site policy = %+v, %v", p, err)
	}
	bad := write("bad.yaml", "file: x.yaml\naudit: always\n")
	_, err = LoadPolicy(bad)
	want := bad + `:1:1: unknown key "file" (valid keys: audit, modules, signatures, sources, vulnerabilities)` + "\n" +
		bad + `:2:8: policy.audit: unknown value "always" (valid: build, on-demand)`
	if fail.KindOf(err) != fail.Config || err == nil || err.Error() != want {
		t.Errorf("LoadPolicy(bad) = %v\nwant %s", err, want)
	}
	if _, err := LoadPolicy(dir); fail.KindOf(err) != fail.Config {
		t.Errorf("LoadPolicy(a directory) = %v", err)
	}
}
