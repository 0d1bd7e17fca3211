package sbom

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestSPDX(t *testing.T) {
	doc, err := SPDX(input())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"s3cret", "user:", "tok@"} {
		if bytes.Contains(doc, []byte(secret)) {
			t.Errorf("the SBOM holds the credential %q", secret)
		}
	}
	var v spdxDoc
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	if v.SPDXVersion != "SPDX-2.3" || v.CreationInfo.Created != "1970-01-01T00:00:00Z" || !strings.HasPrefix(v.DocumentNamespace, NamespaceBase+"hello-linux-amd64-") {
		t.Errorf("header: %+v", v)
	}
	var names []string
	for _, p := range v.Packages {
		names = append(names, p.Name)
	}
	if got, want := strings.Join(names, " "), "hello example.com/core example.com/arc example.com/geo golang.org/x/text"; got != want {
		t.Errorf("packages %s, want %s", got, want)
	}
	if arc := v.Packages[2]; arc.DownloadLocation != "https://REDACTED@dl.example.com/arc.tar.gz" || arc.Checksums[0].Value != strings.Repeat("cd", 32) {
		t.Errorf("archive plug: %+v", arc)
	}
	if geo := v.Packages[3]; geo.DownloadLocation != "git+https://REDACTED@git.example.com/geo.git@0123456789abcdef0123456789abcdef01234567" {
		t.Errorf("git plug: %+v", geo)
	}
	if len(v.Relationships) != 5 || v.Relationships[0].Type != "DESCRIBES" || v.Relationships[4].Type != "CONTAINS" {
		t.Errorf("relationships %+v", v.Relationships)
	}

	// The same content in another order gives the same bytes; a date
	// given is the creation time; another content another namespace.
	in := input()
	in.Components[0], in.Components[3] = in.Components[3], in.Components[0]
	if again, _ := SPDX(in); !bytes.Equal(again, doc) {
		t.Error("the same components in another order give another document")
	}
	in.Created = time.Unix(1700000000, 0)
	dated, _ := SPDX(in)
	var d spdxDoc
	json.Unmarshal(dated, &d)
	if d.CreationInfo.Created != "2023-11-14T22:13:20Z" || d.DocumentNamespace == v.DocumentNamespace {
		t.Errorf("dated: created %s, namespace %s", d.CreationInfo.Created, d.DocumentNamespace)
	}
}

func TestSPDXSubject(t *testing.T) {
	in := input()
	doc, err := SPDX(in)
	if err != nil {
		t.Fatal(err)
	}
	if sum, err := SPDXSubject(doc); err != nil || sum != in.SHA256 {
		t.Errorf("SPDXSubject = %q, %v; want %q", sum, err, in.SHA256)
	}
	cdx, err := CycloneDX(in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SPDXSubject(cdx); err == nil {
		t.Error("SPDXSubject read a CycloneDX SBOM")
	}
}
