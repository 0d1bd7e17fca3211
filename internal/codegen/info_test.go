package codegen

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	d := sample()
	d.Plugs[0].Source = "module"
	d.Plugs[1].Source = "local"
	got := Describe(d, InfoModule{Module: "example.com/core", Version: "v1.4.2", Source: "git"}, "")
	js, ok := strings.CutPrefix(got, InfoMarker)
	if !ok {
		t.Fatalf("Describe = %q, want it to start with %q", got, InfoMarker)
	}
	var in Info
	if err := json.Unmarshal([]byte(js), &in); err != nil {
		t.Fatal(err)
	}
	// The digest is of the settings literal the generated main holds.
	digest := func(settings map[string]any) string {
		sum := sha256.Sum256([]byte(Literal(settings)))
		return "sha256:" + hex.EncodeToString(sum[:])
	}
	want := Info{
		Schema: InfoSchema,
		Name:   "acme",
		Core:   InfoModule{Module: "example.com/core", Version: "v1.4.2", Source: "git"},
		Plugs: []InfoPlug{
			{"metrics", "example.com/metrics", "v0.3.1", digest(d.Plugs[0].Settings), "module", "", "", "example.com/metrics/plug"},
			{"audit", "example.com/audit", "v0.0.0", digest(map[string]any{}), "local", "", "", ""},
		},
	}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("Describe decodes to\n%+v\nwant\n%+v", in, want)
	}
	if Describe(d, want.Core, "") != got {
		t.Error("two descriptions of the same build differ")
	}
	if strings.Contains(got, "profile") || strings.Contains(got, "order") || strings.Contains(got, "kind") {
		t.Errorf("a build with no profile, order or kinds mentions them: %s", got)
	}
	d.Plugs[0].Kind = "receiver"
	d.Order = []string{"root", "metrics", "forward"}
	got = Describe(d, want.Core, "coredns")
	if !strings.Contains(got, `"kind":"receiver"`) || !strings.Contains(got, `"profile":"coredns","order":["root","metrics","forward"]`) {
		t.Errorf("Describe = %s, want the kind, the profile and the order", got)
	}
	d.Plugs = nil
	if got := Describe(d, want.Core, ""); !strings.Contains(got, `"plugs":[]`) {
		t.Errorf("a build without plugs is described as %s, want an empty plugs list", got)
	}
}

// TestDescribeChecksum records an archive's checksum, a packed plug's
// digest, and nothing for other sources.
func TestDescribeChecksum(t *testing.T) {
	const sum = "sha256:0123456789012345678901234567890123456789012345678901234567890123"
	d := sample()
	d.Plugs[0].Source = "module"
	d.Plugs[1].Source, d.Plugs[1].Checksum = "archive", sum
	got := Describe(d, InfoModule{Module: "example.com/core", Version: "v0.0.0", Source: "archive", Checksum: sum}, "")
	var in Info
	if err := json.Unmarshal([]byte(strings.TrimPrefix(got, InfoMarker)), &in); err != nil {
		t.Fatal(err)
	}
	if in.Core.Checksum != sum || in.Plugs[1].Checksum != sum || in.Plugs[0].Checksum != "" {
		t.Errorf("checksums: core %q, plugs %q and %q", in.Core.Checksum, in.Plugs[0].Checksum, in.Plugs[1].Checksum)
	}
	if strings.Count(got, `"checksum"`) != 2 {
		t.Errorf("a source that is no archive has a checksum: %s", got)
	}
}
