package sbom

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/source"
)

func input() Input {
	return Input{
		Name: "hello", Version: "v1.2.3", Target: "linux/amd64", SHA256: strings.Repeat("ab", 32),
		GoVersion: "go1.26.8", Tool: "v0.1.0",
		Components: []Component{
			{Role: RoleModule, Module: "golang.org/x/text", Version: "v0.3.0", Sum: "h1:abc=", Origin: source.Origin{Kind: "module"}},
			{Role: RolePlug, Plug: "geo", Module: "example.com/geo", Version: "v2.1.0", Origin: source.Origin{Kind: "git", URL: "https://user:s3cret@git.example.com/geo.git", Commit: "0123456789abcdef0123456789abcdef01234567"}},
			{Role: RolePlug, Plug: "arc", Module: "example.com/arc", Version: "v0.0.0", Origin: source.Origin{Kind: "archive", URL: "https://tok@dl.example.com/arc.tar.gz", SHA256: strings.Repeat("cd", 32)}},
			{Role: RoleCore, Module: "example.com/core", Version: "v1.2.3", Sum: "h1:core=", Origin: source.Origin{Kind: "local", Path: "./core"}, TreeHash: "h1:tree="},
		},
	}
}

func TestCycloneDXDeterministic(t *testing.T) {
	a, err := CycloneDX(input())
	if err != nil {
		t.Fatal(err)
	}
	in := input()
	in.Components[0], in.Components[3] = in.Components[3], in.Components[0]
	b, err := CycloneDX(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("the same components in another order give another document")
	}
	in.Components[1].Version = "v2.1.1"
	c, _ := CycloneDX(in)
	if serial(t, c) == serial(t, a) {
		t.Error("a different content kept the serial number")
	}
	if !regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(serial(t, a)) {
		t.Errorf("serial %s is not an RFC 9562 version 8 UUID URN", serial(t, a))
	}
}

func serial(t *testing.T, doc []byte) string {
	var v struct{ SerialNumber string }
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	return v.SerialNumber
}

func TestCycloneDXContent(t *testing.T) {
	doc, err := CycloneDX(input())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"s3cret", "user:", "tok@"} {
		if bytes.Contains(doc, []byte(secret)) {
			t.Errorf("the SBOM holds the credential %q", secret)
		}
	}
	var v bom
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	if v.BOMFormat != "CycloneDX" || v.SpecVersion != "1.6" || v.Metadata.Component.Hashes[0].Content != strings.Repeat("ab", 32) {
		t.Errorf("header: %+v", v)
	}
	var order []string
	for _, c := range v.Components {
		order = append(order, c.Name)
	}
	if got, want := strings.Join(order, " "), "example.com/core example.com/arc example.com/geo golang.org/x/text"; got != want {
		t.Errorf("components %s, want %s (core, plugs, modules)", got, want)
	}
	props := func(c component) map[string]string {
		m := map[string]string{}
		for _, p := range c.Properties {
			m[p.Name] = p.Value
		}
		return m
	}
	if p := props(v.Components[0]); p["plugctl:role"] != "core" || p["plugctl:treehash"] != "h1:tree=" || p["plugctl:h1"] != "h1:core=" {
		t.Errorf("core properties %v", p)
	}
	geo := v.Components[2]
	if len(geo.ExternalReferences) != 1 || geo.ExternalReferences[0].URL != "https://REDACTED@git.example.com/geo.git" || props(geo)["plugctl:commit"] != "0123456789abcdef0123456789abcdef01234567" {
		t.Errorf("git plug: %+v", geo)
	}
	arc := v.Components[1]
	if len(arc.ExternalReferences) != 1 || arc.ExternalReferences[0].Type != "distribution" || arc.ExternalReferences[0].Hashes[0].Content != strings.Repeat("cd", 32) {
		t.Errorf("archive plug: %+v", arc)
	}
	if len(v.Dependencies) != 1 || len(v.Dependencies[0].DependsOn) != 4 {
		t.Errorf("dependencies %+v", v.Dependencies)
	}
}

func TestSubject(t *testing.T) {
	doc, err := CycloneDX(Input{Name: "hello", Version: "v1.0.0", Target: "linux/arm64", SHA256: strings.Repeat("ef", 32)})
	if err != nil {
		t.Fatal(err)
	}
	sum, target, err := Subject(doc)
	if err != nil || sum != strings.Repeat("ef", 32) || target != "linux/arm64" {
		t.Errorf("Subject = %q, %q, %v", sum, target, err)
	}
	if _, _, err := Subject([]byte(`{"bomFormat":"CycloneDX"}`)); err == nil {
		t.Error("Subject of an SBOM without a binary: no error")
	}
}
