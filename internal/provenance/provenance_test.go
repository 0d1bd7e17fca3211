package provenance

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/inspect"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/signing"
	"github.com/plugctl/plugctl/internal/source"
)

// TestPAE holds the encoding to the example of DSSE's protocol.
func TestPAE(t *testing.T) {
	got := string(PAE("http://example.com/HelloWorld", []byte("hello world")))
	if want := "DSSEv1 29 http://example.com/HelloWorld 11 hello world"; got != want {
		t.Errorf("PAE = %q, want %q", got, want)
	}
}

func key(t *testing.T, name string) (*signing.Key, *signing.Keys) {
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	return &signing.Key{Signer: s}, &signing.Keys{Verifiers: note.VerifierList(v), IDs: []string{signing.ID(v.Name(), v.KeyHash())}}
}

func statement() *Statement {
	f := &lock.File{
		Core:    lock.Entry{Module: "example.com/core", Version: "v1.2.3", Hash: "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", Origin: source.Origin{Kind: source.Module}},
		Plugins: []lock.Entry{{Name: "geo", Module: "example.com/geo", Version: "v2.1.0", Origin: source.Origin{Kind: source.Git, URL: "https://user:s3cret@git.example.com/geo.git", Commit: strings.Repeat("a", 40)}}},
		Modules: []lock.Module{{Path: "golang.org/x/text", Version: "v0.3.0", Hash: "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}},
	}
	deps := append(Dependencies(f, func(string) string { return "" }), Toolchain("go1.26.8"))
	return New(Input{Subject: "hello", SHA256: strings.Repeat("ab", 32), Plugctl: "v0.1.0", Dependencies: deps,
		External: ExternalParameters{Config: "sha256:c", Name: "hello", Target: "linux/amd64"}})
}

func TestSignOpen(t *testing.T) {
	k, keys := key(t, "release")
	_, others := key(t, "other")
	st := statement()
	data, err := Encode(st, []*signing.Key{k})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(data, []byte("\n")) != 1 || bytes.Contains(data, []byte("s3cret")) {
		t.Fatalf("envelope is not one redacted line: %s", data)
	}
	var env Envelope
	json.Unmarshal(data, &env)
	payload, _ := base64.StdEncoding.DecodeString(env.Payload)
	if !strings.Contains(string(payload), `"goModuleH1":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"`) ||
		!strings.Contains(string(payload), `"gitCommit":"`+strings.Repeat("a", 40)) {
		t.Errorf("payload lacks the digests: %s", payload)
	}
	o, err := Open(data, keys)
	if err != nil || len(o.Verified) != 1 || o.Verified[0] != k.ID() {
		t.Fatalf("Open = %+v, %v", o, err)
	}
	if o, err := Open(data, others); err != nil || len(o.Verified) != 0 || len(o.Unverified) != 1 {
		t.Errorf("Open with another key = %+v, %v", o, err)
	}
	// The payload edited: the signature no longer verifies.
	env.Payload = base64.StdEncoding.EncodeToString(bytes.Replace(payload, []byte("v1.2.3"), []byte("v1.2.4"), 1))
	edited, _ := json.Marshal(env)
	if _, err := Open(edited, keys); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Open of an edited payload: %v, want ErrBadSignature", err)
	}
	// Unsigned: an empty list.
	data, _ = Encode(st, nil)
	if !bytes.Contains(data, []byte(`"signatures":[]`)) {
		t.Errorf("unsigned envelope: %s", data)
	}
}

func TestCheck(t *testing.T) {
	rep := func() *inspect.Report {
		return &inspect.Report{Name: "hello", Target: "linux/amd64", Go: "go1.26.8",
			Core:    codegen.InfoModule{Module: "example.com/core", Version: "v1.2.3"},
			Plugs:   []codegen.InfoPlug{{Name: "geo", Module: "example.com/geo", Version: "v2.1.0"}},
			Modules: []inspect.Module{{Path: "golang.org/x/text", Version: "v0.3.0", Sum: "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}}}
	}
	sum := strings.Repeat("ab", 32)
	if bad := Check(statement(), sum, rep()); len(bad) != 0 {
		t.Errorf("Check = %q, want agreement", bad)
	}
	tests := []struct {
		name string
		edit func(*inspect.Report)
		sum  string
		want string
	}{
		{"another binary", func(*inspect.Report) {}, strings.Repeat("cd", 32), "the binary has sha256:cdcd"},
		{"core version", func(r *inspect.Report) { r.Core.Version = "v1.2.4" }, sum, "the binary holds the core example.com/core@v1.2.4, the provenance example.com/core@v1.2.3"},
		{"plug unknown", func(r *inspect.Report) { r.Plugs[0].Name = "geo2" }, sum, `plug "geo2" example.com/geo@v2.1.0, the provenance names none`},
		{"module hash", func(r *inspect.Report) { r.Modules[0].Sum = "h1:other=" }, sum, "golang.org/x/text@v0.3.0 h1:other="},
		{"module unknown", func(r *inspect.Report) {
			r.Modules = append(r.Modules, inspect.Module{Path: "example.com/x", Version: "v1.0.0"})
		}, sum, "example.com/x@v1.0.0, the provenance names no such module"},
		{"toolchain", func(r *inspect.Report) { r.Go = "go1.25.0" }, sum, "built with go1.25.0"},
		{"target", func(r *inspect.Report) { r.Target = "linux/arm64" }, sum, "for linux/arm64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rep()
			tt.edit(r)
			bad := Check(statement(), tt.sum, r)
			if len(bad) != 1 || !strings.Contains(bad[0], tt.want) {
				t.Errorf("Check = %q, want one saying %q", bad, tt.want)
			}
		})
	}
}
