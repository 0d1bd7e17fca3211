package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
)

func TestHost(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"", ""},
		{"./local", ""},
		{"git::https://Git.Acme.example/x.git", "git.acme.example"},
		{"git::ssh://git@git.acme.example:2222/x.git", "git.acme.example"},
		{"git::git@git.acme.example:x.git", "git.acme.example"},
		{"git::https://user:token@git.acme.example/x.git", "git.acme.example"},
		{"https://downloads.acme.example/x.tar.gz", "downloads.acme.example"},
		{"git::file:///srv/x.git", ""},
	} {
		if got := Host(tt.src); got != tt.want {
			t.Errorf("Host(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestAllows(t *testing.T) {
	p := &Policy{File: "p.yaml",
		Modules: []Pattern{{Value: "github.com/acme"}, {Value: "example.com/*"}},
		Sources: []Pattern{{Value: "git.acme.example"}, {Value: "*.acme.example"}}}
	for _, tt := range []struct {
		mod  string
		want bool
	}{
		{"github.com/acme", true},
		{"github.com/acme/x/v2", true},
		{"github.com/acmex", false},
		{"example.com/a", true},
		{"example.com/a/b", true},
		{"example.org/a", false},
	} {
		if got := p.AllowsModule(tt.mod); got != tt.want {
			t.Errorf("AllowsModule(%q) = %v", tt.mod, got)
		}
	}
	for _, tt := range []struct {
		host string
		want bool
	}{
		{"git.acme.example", true},
		{"dl.acme.example", true},
		{"acme.example", false},
		{"evil.example", false},
	} {
		if got := p.AllowsHost(tt.host); got != tt.want {
			t.Errorf("AllowsHost(%q) = %v", tt.host, got)
		}
	}
	var none *Policy
	if !none.AllowsModule("x.org/y") || !none.AllowsHost("h") || none.Check([]Subject{{Module: "x"}}) != nil || none.CheckBundle(false) != nil {
		t.Error("no policy must allow everything")
	}
}

func TestCheck(t *testing.T) {
	p := &Policy{File: "p.yaml", Modules: []Pattern{{Value: "example.com/*", Pos: diag.Pos{Line: 2, Col: 3}}}, Signatures: true, SignaturesPos: diag.Pos{Line: 4, Col: 13}}
	err := p.Check([]Subject{
		{Name: diag.Core, Module: "example.com/core", File: "c.yaml"},
		{Name: "bad", Module: "example.org/bad", ModulePos: diag.Pos{Line: 9, Col: 5}, File: "c.yaml"},
		{Name: "late", File: "c.yaml"}, // module not known yet
	})
	if fail.KindOf(err) != fail.Policy {
		t.Fatalf("kind %v, want policy: %v", fail.KindOf(err), err)
	}
	var l diag.List
	if !errors.As(err, &l) || len(l) != 1 || l[0].Subject != "bad" || l[0].Pos != (diag.Pos{Line: 9, Col: 5}) {
		t.Fatalf("problems = %v", err)
	}
	if want := `c.yaml:9:5: plug "bad": module example.org/bad is not allowed by the policy (policy.modules at p.yaml:2:3: example.com/*)`; l[0].Error() != want {
		t.Errorf("got  %s\nwant %s", l[0].Error(), want)
	}
	if err := p.CheckBundle(false); fail.KindOf(err) != fail.Policy {
		t.Errorf("CheckBundle(false) = %v, want a policy failure", err)
	}
	if err := p.CheckBundle(true); err != nil {
		t.Errorf("CheckBundle(true) = %v", err)
	}
	if l, err := ParseLevel("imported"); err != nil || l != Imported || l.String() != "imported" {
		t.Errorf("ParseLevel(imported) = %v, %v", l, err)
	}
	if _, err := ParseLevel("high"); err == nil {
		t.Error("ParseLevel(high) must fail")
	}
}

func TestSet(t *testing.T) {
	at := func(l int) diag.Pos { return diag.Pos{Line: l, Col: 1} }
	cfg := &Policy{File: "c.yaml", Vulnerabilities: Off, VulnPos: at(3), Modules: []Pattern{{Value: "example.com", Pos: at(2)}}}
	site := &Policy{File: "site.yaml", Site: true, Vulnerabilities: Imported, VulnPos: at(1), Signatures: true, SignaturesPos: at(2),
		Modules: []Pattern{{Value: "example.com/server", Pos: at(4)}}, AuditBuild: true, AuditPos: at(5)}
	unset := &Policy{File: "u.yaml", Vulnerabilities: DefaultThreshold}
	for _, tt := range []struct {
		name string
		set  Set
		want Level
		by   *Policy
	}{
		{"none", nil, DefaultThreshold, nil},
		{"config off", Set{cfg}, Off, cfg},
		{"site stricter than off", Set{cfg, site}, Imported, site},
		{"unset leaves it", Set{cfg, unset}, Off, cfg},
		{"lower is stricter", Set{&Policy{Vulnerabilities: Called, VulnPos: at(1)}, &Policy{Vulnerabilities: Required, VulnPos: at(1)}}, Required, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, by := tt.set.Threshold()
			if got != tt.want || (tt.by != nil && by != tt.by) {
				t.Errorf("Threshold() = %v, %v; want %v, %v", got, by, tt.want, tt.by)
			}
		})
	}
	if (Set{cfg}).AuditBuild() != nil || (Set{cfg, site}).AuditBuild() != site {
		t.Error("AuditBuild: the site's asks")
	}
	if err := (Set{cfg, nil}).CheckBundle(false); err != nil {
		t.Errorf("CheckBundle without signatures required: %v", err)
	}
	err := (Set{cfg, site}).CheckBundle(false)
	if want := `site.yaml:2:1: the site policy's signatures: required: a bundle builds only with its signature checked (give --verify-key KEY.pub)`; err == nil || fail.KindOf(err) != fail.Policy || !strings.Contains(err.Error(), want) {
		t.Errorf("CheckBundle = %v, want %s", err, want)
	}
	// Both lists apply: the site refuses what the config allows, by name.
	err = (Set{cfg, site}).Check([]Subject{{Name: "m", Module: "example.com/metrics", ModulePos: at(9), File: "c.yaml"}})
	var l diag.List
	if !errors.As(err, &l) || len(l) != 1 {
		t.Fatalf("Check = %v", err)
	}
	if want := `c.yaml:9:1: plug "m": module example.com/metrics is not allowed by the site policy (modules at site.yaml:4:1: example.com/server)`; l[0].Error() != want {
		t.Errorf("got  %s\nwant %s", l[0].Error(), want)
	}
}
