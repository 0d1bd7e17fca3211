// Package sbom writes the software bills of materials of a binary plugctl
// built, in two formats: CycloneDX 1.6 JSON (CycloneDX) and SPDX 2.3 JSON
// (SPDX). Both list the binary itself, the core, every plug and every module
// linked into it — exactly the modules `go version -m` lists as dep lines —
// with versions, go.sum hashes and, for code that did not come from the
// module proxy, where it came from (a git URL and commit, an archive URL and
// its SHA-256, a local path and its content hash).
//
// Both documents are deterministic: components sorted, and identifiers
// derived from the content, so two builds of the same inputs give
// byte-identical SBOMs. CycloneDX has no timestamp. SPDX requires one
// (creationInfo.created): it is Input.Created, which the caller derives from
// SOURCE_DATE_EPOCH, else the Unix epoch, never the clock.
package sbom

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/source"
)

// Role says what a component is to the build.
type Role string

// The roles of components.
const (
	RoleCore   Role = "core"
	RolePlug   Role = "plug"
	RoleModule Role = "module" // any other module of the build graph
)

// Component is one module linked into the binary.
type Component struct {
	Role    Role
	Plug    string // plug name, for RolePlug
	Module  string
	Version string
	// Sum is the module's h1: hash as go.sum writes it (for a local
	// directory: of the files its module zip would hold).
	Sum string
	// Origin says where its code came from, as the lock records it; URLs
	// are redacted again before they are written.
	Origin source.Origin
	// TreeHash is the h1: content hash of a local directory (modhash), when
	// Sum is unknown.
	TreeHash string
	// Replace is the module@version a replace directive substituted (its
	// source is then said to be "replace").
	Replace string
}

// Input is everything the SBOM says.
type Input struct {
	Name      string // artifact name from the config
	Version   string // the core's version
	Target    string // os/arch
	SHA256    string // the binary's SHA-256 (hex)
	GoVersion string // toolchain that built it
	Tool      string // plugctl's version
	// Cgo says the binary was built with cgo, linked against C: not
	// static, as plugctl's binaries otherwise are.
	Cgo        bool
	Components []Component
	// Created is the time SPDX's creationInfo.created says: SOURCE_DATE_EPOCH
	// when the caller has it, else the zero Time, written as the Unix epoch.
	Created time.Time
}

// sorted returns in's components core first, then the plugs, then the
// other modules, each group by module path: the order both formats list
// them in.
func (in Input) sorted() []Component {
	comps := append([]Component(nil), in.Components...)
	sort.Slice(comps, func(i, j int) bool {
		if rank(comps[i].Role) != rank(comps[j].Role) {
			return rank(comps[i].Role) < rank(comps[j].Role)
		}
		return comps[i].Module < comps[j].Module
	})
	return comps
}

// contentUUID returns an RFC 9562 version 8 UUID made of the SHA-256 of
// body: a name for a document that identifies its content and stays
// reproducible.
func contentUUID(body []byte) string {
	sum := sha256.Sum256(body)
	u := sum[:16]
	u[6] = u[6]&0x0f | 0x80 // RFC 9562 version 8: custom (here SHA-256 of the content)
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// CycloneDX renders in as a CycloneDX 1.6 JSON document.
func CycloneDX(in Input) ([]byte, error) {
	comps := in.sorted()
	rootRef := "plugctl:artifact/" + in.Name + "@" + in.Target
	doc := bom{
		BOMFormat:   "CycloneDX",
		SpecVersion: "1.6",
		Version:     1,
		Metadata: metadata{
			Tools: tools{Components: []component{{Type: "application", Name: "plugctl", Version: in.Tool}}},
			Component: &component{
				Type: "application", BOMRef: rootRef, Name: in.Name, Version: in.Version,
				Hashes: []hash{{Alg: "SHA-256", Content: in.SHA256}},
				Properties: []property{
					{"plugctl:target", in.Target},
					{"plugctl:go", in.GoVersion},
				},
			},
		},
		Components:   []component{},
		Dependencies: []dependency{{Ref: rootRef, DependsOn: []string{}}},
	}
	if in.Cgo {
		doc.Metadata.Component.Properties = append(doc.Metadata.Component.Properties, property{"plugctl:cgo", "true"})
	}
	for _, c := range comps {
		ref := purl(c.Module, c.Version)
		cc := component{Type: "library", BOMRef: ref, Name: c.Module, Version: c.Version, PURL: ref}
		if c.Role == RoleCore {
			cc.Type = "application"
		}
		cc.Properties = append(cc.Properties, property{"plugctl:role", string(c.Role)})
		if c.Plug != "" {
			cc.Properties = append(cc.Properties, property{"plugctl:plug", c.Plug})
		}
		if c.Sum != "" {
			cc.Properties = append(cc.Properties, property{"plugctl:h1", c.Sum})
		}
		o := c.Origin
		switch {
		case c.Replace != "":
			cc.Properties = append(cc.Properties, property{"plugctl:source", "replace"})
		case o.Kind != "":
			cc.Properties = append(cc.Properties, property{"plugctl:source", string(o.Kind)})
		}
		if o.Path != "" {
			cc.Properties = append(cc.Properties, property{"plugctl:path", o.Path})
		}
		if c.TreeHash != "" {
			cc.Properties = append(cc.Properties, property{"plugctl:treehash", c.TreeHash})
		}
		if c.Replace != "" {
			cc.Properties = append(cc.Properties, property{"plugctl:replaces", c.Replace})
		}
		if o.Commit != "" {
			cc.Properties = append(cc.Properties, property{"plugctl:commit", o.Commit})
		}
		if o.URL != "" {
			// A URL pinned by a checksum is a file (an archive), one pinned
			// by a commit a repository.
			ref := externalRef{Type: "vcs", URL: redact.String(o.URL)}
			if o.Commit != "" {
				ref.Comment = "commit " + o.Commit
			}
			if o.SHA256 != "" {
				ref.Type = "distribution"
				ref.Hashes = []hash{{Alg: "SHA-256", Content: strings.TrimPrefix(o.SHA256, "sha256:")}}
			}
			cc.ExternalReferences = []externalRef{ref}
		}
		doc.Components = append(doc.Components, cc)
		doc.Dependencies[0].DependsOn = append(doc.Dependencies[0].DependsOn, ref)
	}
	// The serial number is derived from the document without it, so it
	// identifies the content and stays reproducible.
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	doc.SerialNumber = "urn:uuid:" + contentUUID(body)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

func rank(r Role) int {
	switch r {
	case RoleCore:
		return 0
	case RolePlug:
		return 1
	}
	return 2
}

// purl is the package URL of a Go module version.
func purl(mod, version string) string {
	return "pkg:golang/" + mod + "@" + version
}

// The CycloneDX 1.6 JSON shapes plugctl writes (a subset of the schema).
type (
	bom struct {
		BOMFormat    string       `json:"bomFormat"`
		SpecVersion  string       `json:"specVersion"`
		SerialNumber string       `json:"serialNumber,omitempty"`
		Version      int          `json:"version"`
		Metadata     metadata     `json:"metadata"`
		Components   []component  `json:"components"`
		Dependencies []dependency `json:"dependencies"`
	}
	metadata struct {
		Tools     tools      `json:"tools"`
		Component *component `json:"component,omitempty"`
	}
	tools struct {
		Components []component `json:"components"`
	}
	component struct {
		Type               string        `json:"type"`
		BOMRef             string        `json:"bom-ref,omitempty"`
		Name               string        `json:"name"`
		Version            string        `json:"version,omitempty"`
		PURL               string        `json:"purl,omitempty"`
		Hashes             []hash        `json:"hashes,omitempty"`
		ExternalReferences []externalRef `json:"externalReferences,omitempty"`
		Properties         []property    `json:"properties,omitempty"`
	}
	hash struct {
		Alg     string `json:"alg"`
		Content string `json:"content"`
	}
	externalRef struct {
		Type    string `json:"type"`
		URL     string `json:"url"`
		Comment string `json:"comment,omitempty"`
		Hashes  []hash `json:"hashes,omitempty"`
	}
	property struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	dependency struct {
		Ref       string   `json:"ref"`
		DependsOn []string `json:"dependsOn"`
	}
)
