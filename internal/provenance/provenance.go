// Package provenance writes and checks the provenance plugctl puts beside
// every artifact (PATH.intoto.jsonl): an in-toto Statement v1 whose
// predicate is SLSA v1 provenance, in a DSSE envelope, on one line.
//
// The statement says:
//
//	subject               the artifact's file name and SHA-256
//	externalParameters    the config's digest (digest.Artifact), the target,
//	                      the artifact name, the lock's content digest
//	internalParameters    the build flags plugctl chose (tags, ldflags,
//	                      gcflags, cgo) and the main template's digest
//	resolvedDependencies  every lock entry — a module with its h1: hash
//	                      (goModuleH1), a git repository at its commit
//	                      (gitCommit), an archive with its SHA-256, a local
//	                      directory with its content hash (dirHash) — and
//	                      the Go toolchain
//	runDetails.builder    plugctl and its version
//
// The envelope is signed with a plugctl key (package signing: Ed25519 in
// the signed-note format) over DSSE's pre-authentication encoding,
//
//	"DSSEv1" SP LEN(payloadType) SP payloadType SP LEN(payload) SP payload
//
// with the key's ID ("name+hash") as keyid; unsigned, the envelope has no
// signatures. Nothing in it depends on the clock or the machine: the same
// build gives the same bytes.
//
// DSSE and the statement are written here with encoding/json and
// crypto/ed25519 (through x/mod's note keys): the Go libraries for them
// bring protobuf (in-toto's attestation bindings) or x/crypto and test
// dependencies into the module graph for about 150 lines of code.
package provenance

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/signing"
	"github.com/plugctl/plugctl/internal/source"
)

// The type URIs of what plugctl writes.
const (
	PayloadType   = "application/vnd.in-toto+json"
	StatementType = "https://in-toto.io/Statement/v1"
	PredicateType = "https://slsa.dev/provenance/v1"
	// BuildType names what externalParameters and internalParameters hold
	// (docs/supply-chain.md describes it).
	BuildType = "https://github.com/plugctl/plugctl/docs/supply-chain.md#build-type-v1"
	// BuilderID is plugctl; the builder's ID adds its version after '@'.
	BuilderID = "https://github.com/plugctl/plugctl"
)

// Suffix names the provenance beside an artifact.
const Suffix = ".intoto.jsonl"

// Statement is an in-toto Statement v1 with a SLSA v1 provenance predicate.
type Statement struct {
	Type          string      `json:"_type"`
	Subject       []Resource  `json:"subject"`
	PredicateType string      `json:"predicateType"`
	Predicate     *Provenance `json:"predicate"`
}

// Provenance is the SLSA v1 provenance predicate.
type Provenance struct {
	BuildDefinition BuildDefinition `json:"buildDefinition"`
	RunDetails      RunDetails      `json:"runDetails"`
}

// BuildDefinition says what was built from what.
type BuildDefinition struct {
	BuildType            string             `json:"buildType"`
	ExternalParameters   ExternalParameters `json:"externalParameters"`
	InternalParameters   InternalParameters `json:"internalParameters"`
	ResolvedDependencies []Resource         `json:"resolvedDependencies"`
}

// ExternalParameters are the inputs the user controls.
type ExternalParameters struct {
	// Config is the digest of the config as parsed (digest.Artifact).
	Config string `json:"config"`
	// Lock is the content digest of the lock (lock.File.ContentDigest).
	Lock   string `json:"lock,omitempty"`
	Name   string `json:"name"`
	Target string `json:"target"`
}

// InternalParameters are what plugctl chose for the compile.
type InternalParameters struct {
	Tags     []string `json:"tags,omitempty"`
	Ldflags  []string `json:"ldflags,omitempty"`
	Gcflags  []string `json:"gcflags,omitempty"`
	Cgo      bool     `json:"cgo"`
	Template string   `json:"template,omitempty"`
	Offline  bool     `json:"offline,omitempty"`
}

// RunDetails names the builder.
type RunDetails struct {
	Builder Builder `json:"builder"`
}

// Builder is plugctl at a version.
type Builder struct {
	ID      string            `json:"id"`
	Version map[string]string `json:"version,omitempty"`
}

// Resource is an in-toto ResourceDescriptor.
type Resource struct {
	Name        string            `json:"name,omitempty"`
	URI         string            `json:"uri,omitempty"`
	Digest      map[string]string `json:"digest,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Input is what New makes a statement of.
type Input struct {
	Subject  string // the artifact's file name
	SHA256   string // its SHA-256, hex
	External ExternalParameters
	Internal InternalParameters
	// Dependencies are the lock's entries (Dependencies) and the toolchain
	// (Toolchain).
	Dependencies []Resource
	Plugctl      string // plugctl's version
}

// New returns the statement of in.
func New(in Input) *Statement {
	deps := in.Dependencies
	if deps == nil {
		deps = []Resource{}
	}
	return &Statement{
		Type:          StatementType,
		Subject:       []Resource{{Name: in.Subject, Digest: map[string]string{"sha256": in.SHA256}}},
		PredicateType: PredicateType,
		Predicate: &Provenance{
			BuildDefinition: BuildDefinition{
				BuildType:            BuildType,
				ExternalParameters:   in.External,
				InternalParameters:   in.Internal,
				ResolvedDependencies: deps,
			},
			RunDetails: RunDetails{Builder: Builder{ID: BuilderID + "@" + in.Plugctl, Version: map[string]string{"plugctl": in.Plugctl}}},
		},
	}
}

// Annotation keys of the resolved dependencies.
const (
	// Role is "core", "plug", "module" or "toolchain".
	Role    = "role"
	Plug    = "plug"
	Module  = "module"
	Version = "version"
	Kind    = "source"
	H1      = "h1"
	GoModH1 = "go_mod_h1"
	Path    = "path"
)

// Toolchain describes the go command's version as a dependency.
func Toolchain(version string) Resource {
	return Resource{Name: "go", URI: "pkg:generic/go@" + version, Annotations: map[string]string{Role: "toolchain", Version: version}}
}

// Dependencies lists every entry of f: the core, the plugs and the modules
// of the build graph. contentHash returns the content hash (h1:, modhash)
// of a local directory as the lock writes its path, "" when unknown: the
// lock keeps none (local code is the user's own and changes as they edit).
func Dependencies(f *lock.File, contentHash func(path string) string) []Resource {
	var out []Resource
	entry := func(role string, e lock.Entry) {
		r := component(e.Module, e.Version, e.Hash, e.Origin, contentHash)
		r.Annotations[Role] = role
		if e.Name != "" {
			r.Annotations[Plug] = e.Name
		}
		out = append(out, r)
	}
	entry(source.CoreName, f.Core)
	for _, e := range f.Plugins {
		entry("plug", e)
	}
	for _, m := range f.Modules {
		o := source.Origin{Kind: source.Module}
		if m.Dir != "" {
			o = source.Origin{Kind: source.Local, Path: m.Dir}
		}
		r := component(m.Path, m.Version, m.Hash, o, contentHash)
		r.Annotations[Role] = "module"
		if m.GoModHash != "" {
			r.Annotations[GoModH1] = m.GoModHash
		}
		out = append(out, r)
	}
	return out
}

// component describes module at version, from origin.
func component(module, version, h1 string, o source.Origin, contentHash func(string) string) Resource {
	r := Resource{Name: module, URI: "pkg:golang/" + module + "@" + version, Digest: map[string]string{},
		Annotations: map[string]string{Module: module, Version: version, Kind: string(o.Kind)}}
	if h1 != "" {
		r.Annotations[H1] = h1
		if hx, ok := h1Hex(h1); ok {
			r.Digest["goModuleH1"] = hx
		}
	}
	switch o.Kind {
	case source.Git:
		r.URI = "git+" + redact.String(o.URL) + "@" + o.Commit
		r.Digest["gitCommit"] = o.Commit
	case source.Archive:
		r.URI = redact.String(o.URL)
		r.Digest["sha256"] = strings.TrimPrefix(o.SHA256, "sha256:")
	case source.Local:
		r.URI = "file:" + o.Path
		r.Annotations[Path] = o.Path
		if h := contentHash(o.Path); h != "" {
			r.Annotations["content_hash"] = h
			if hx, ok := h1Hex(h); ok {
				r.Digest["dirHash"] = hx
			}
		}
	case source.Module:
	}
	if len(r.Digest) == 0 {
		r.Digest = nil
	}
	return r
}

// h1Hex is an h1: hash in lowercase hex, as in-toto's digest sets write
// goModuleH1 and dirHash.
func h1Hex(h1 string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h1, "h1:"))
	if err != nil || !strings.HasPrefix(h1, "h1:") {
		return "", false
	}
	return hex.EncodeToString(b), true
}

// Envelope is a DSSE envelope.
type Envelope struct {
	PayloadType string      `json:"payloadType"`
	Payload     string      `json:"payload"` // base64 of the statement
	Signatures  []Signature `json:"signatures"`
}

// Signature is one signature of an envelope.
type Signature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"` // base64
}

// PAE is DSSE's pre-authentication encoding of a payload: what is signed.
func PAE(payloadType string, payload []byte) []byte {
	b := []byte("DSSEv1 " + strconv.Itoa(len(payloadType)) + " " + payloadType + " " + strconv.Itoa(len(payload)) + " ")
	return append(b, payload...)
}

// Encode returns the envelope of st, signed by each of keys (none: an
// unsigned envelope), as the one line of a .intoto.jsonl file.
func Encode(st *Statement, keys []*signing.Key) ([]byte, error) {
	payload, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	env := Envelope{PayloadType: PayloadType, Payload: base64.StdEncoding.EncodeToString(payload), Signatures: []Signature{}}
	pae := PAE(PayloadType, payload)
	for _, k := range keys {
		sig, err := k.Sign(pae)
		if err != nil {
			return nil, fmt.Errorf("signing the provenance with %s: %w", k.ID(), err)
		}
		env.Signatures = append(env.Signatures, Signature{KeyID: k.ID(), Sig: base64.StdEncoding.EncodeToString(sig)})
	}
	line, err := json.Marshal(env)
	if err != nil {
		return nil, err
	}
	return append(line, '\n'), nil
}

// Opened is a provenance file as Open read it.
type Opened struct {
	Statement *Statement
	// Signed is set when the envelope carries a signature.
	Signed bool
	// Verified are the IDs of the keys given whose signature verified;
	// Unverified those of the other signatures, not checked.
	Verified, Unverified []string
}

// ErrBadSignature is a signature by a key given that does not verify.
var ErrBadSignature = errors.New("signature does not verify")

// maxFile bounds a provenance file: a few hundred KiB for a large graph.
const MaxFile = 16 << 20

// Open reads a .intoto.jsonl file holding one envelope, checking the
// signatures by keys (none when nil). A signature by one of keys that does
// not verify is ErrBadSignature; a file that is not a plugctl provenance
// is another error.
func Open(data []byte, keys *signing.Keys) (*Opened, error) {
	var env Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("not a DSSE envelope: %w", err)
	}
	if env.PayloadType != PayloadType {
		return nil, fmt.Errorf("payload type %q, want %q", env.PayloadType, PayloadType)
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	var st Statement
	if err := json.Unmarshal(payload, &st); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	if st.Type != StatementType || st.PredicateType != PredicateType || st.Predicate == nil || len(st.Subject) != 1 {
		return nil, fmt.Errorf("not an in-toto statement v1 of SLSA v1 provenance with one subject")
	}
	o := &Opened{Statement: &st, Signed: len(env.Signatures) > 0}
	pae := PAE(env.PayloadType, payload)
	for _, s := range env.Signatures {
		v := verifier(keys, s.KeyID)
		if v == nil {
			o.Unverified = append(o.Unverified, s.KeyID)
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(s.Sig)
		if err != nil || !v.Verify(pae, sig) {
			return nil, fmt.Errorf("%w: %s", ErrBadSignature, s.KeyID)
		}
		o.Verified = append(o.Verified, s.KeyID)
	}
	return o, nil
}

// verifier returns the key of keys whose ID is id, nil when none is.
func verifier(keys *signing.Keys, id string) note.Verifier {
	if keys == nil {
		return nil
	}
	name, hash, ok := strings.Cut(id, "+")
	h, err := strconv.ParseUint(hash, 16, 32)
	if !ok || err != nil {
		return nil
	}
	v, err := keys.Verifier(name, uint32(h))
	if err != nil {
		return nil
	}
	return v
}
