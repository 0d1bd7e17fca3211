package sbom

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/plugctl/plugctl/internal/redact"
)

// NamespaceBase starts every SPDX documentNamespace plugctl writes. SPDX
// asks for a URI unique to the document, not one that resolves: the rest
// is the artifact's name and target and a UUID derived from the document's
// content (as CycloneDX's serial number is), so the same inputs name the
// same document and any change names another.
const NamespaceBase = "https://github.com/plugctl/plugctl/spdx/"

// SPDX renders in as an SPDX 2.3 JSON document: one package for the
// binary, which the document describes and which CONTAINS one package per
// module. A module's h1: hash, role and origin go in its comment and
// external references (SPDX has no checksum algorithm for h1:); an
// archive's SHA-256 is the package checksum, and its URL or a git
// repository at its commit the download location. Licenses are not
// known: NOASSERTION.
func SPDX(in Input) ([]byte, error) {
	doc := spdxDoc{
		SPDXVersion:       "SPDX-2.3",
		DataLicense:       "CC0-1.0",
		SPDXID:            "SPDXRef-DOCUMENT",
		Name:              in.Name + "-" + strings.ReplaceAll(in.Target, "/", "-"),
		DocumentDescribes: []string{"SPDXRef-Artifact"},
		CreationInfo: spdxCreation{
			Created:  in.Created.UTC().Format(time.RFC3339),
			Creators: []string{"Tool: plugctl-" + in.Tool},
		},
	}
	if in.Created.IsZero() {
		doc.CreationInfo.Created = time.Unix(0, 0).UTC().Format(time.RFC3339)
	}
	root := spdxPackage{
		SPDXID: "SPDXRef-Artifact", Name: in.Name, VersionInfo: in.Version,
		DownloadLocation: "NOASSERTION", PrimaryPurpose: "APPLICATION",
		Checksums: []spdxChecksum{{"SHA256", in.SHA256}},
		Comment:   "target " + in.Target + "; built with " + in.GoVersion,
	}
	if in.Cgo {
		root.Comment += "; cgo (not static)"
	}
	doc.Packages = append(doc.Packages, root.noAssert())
	doc.Relationships = append(doc.Relationships, spdxRelationship{"SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Artifact"})
	for i, c := range in.sorted() {
		p := spdxPackage{
			SPDXID: "SPDXRef-Module-" + strconv.Itoa(i+1), Name: c.Module, VersionInfo: c.Version,
			DownloadLocation: "NOASSERTION", PrimaryPurpose: "LIBRARY",
			ExternalRefs: []spdxRef{{"PACKAGE-MANAGER", "purl", purl(c.Module, c.Version)}},
		}
		if c.Role == RoleCore {
			p.PrimaryPurpose = "APPLICATION"
		}
		notes := []string{"role " + string(c.Role)}
		if c.Plug != "" {
			notes = append(notes, "plug "+c.Plug)
		}
		if c.Sum != "" {
			notes = append(notes, "h1 "+c.Sum)
		}
		o := c.Origin
		switch {
		case c.Replace != "":
			notes = append(notes, "source replace of "+c.Replace)
		case o.Kind != "":
			notes = append(notes, "source "+string(o.Kind))
		}
		if o.Path != "" {
			notes = append(notes, "path "+o.Path)
		}
		if c.TreeHash != "" {
			notes = append(notes, "content hash "+c.TreeHash)
		}
		if o.Commit != "" {
			notes = append(notes, "commit "+o.Commit)
		}
		if o.URL != "" {
			u := redact.String(o.URL)
			switch {
			case o.SHA256 != "":
				p.DownloadLocation = u
				p.Checksums = []spdxChecksum{{"SHA256", strings.TrimPrefix(o.SHA256, "sha256:")}}
			case o.Commit != "":
				p.DownloadLocation = "git+" + u + "@" + o.Commit
			default:
				p.DownloadLocation = u
			}
		}
		p.Comment = strings.Join(notes, "; ")
		doc.Packages = append(doc.Packages, p.noAssert())
		doc.Relationships = append(doc.Relationships, spdxRelationship{"SPDXRef-Artifact", "CONTAINS", p.SPDXID})
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	doc.DocumentNamespace = NamespaceBase + doc.Name + "-" + contentUUID(body)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// noAssert fills the fields SPDX requires that plugctl cannot know.
func (p spdxPackage) noAssert() spdxPackage {
	p.LicenseConcluded, p.LicenseDeclared, p.CopyrightText, p.Supplier = "NOASSERTION", "NOASSERTION", "NOASSERTION", "NOASSERTION"
	return p
}

// The SPDX 2.3 JSON shapes plugctl writes (a subset of the schema).
type (
	spdxDoc struct {
		SPDXVersion       string             `json:"spdxVersion"`
		DataLicense       string             `json:"dataLicense"`
		SPDXID            string             `json:"SPDXID"`
		Name              string             `json:"name"`
		DocumentNamespace string             `json:"documentNamespace,omitempty"`
		CreationInfo      spdxCreation       `json:"creationInfo"`
		DocumentDescribes []string           `json:"documentDescribes"`
		Packages          []spdxPackage      `json:"packages"`
		Relationships     []spdxRelationship `json:"relationships"`
	}
	spdxCreation struct {
		Created  string   `json:"created"`
		Creators []string `json:"creators"`
	}
	spdxPackage struct {
		SPDXID           string         `json:"SPDXID"`
		Name             string         `json:"name"`
		VersionInfo      string         `json:"versionInfo,omitempty"`
		Supplier         string         `json:"supplier"`
		DownloadLocation string         `json:"downloadLocation"`
		FilesAnalyzed    bool           `json:"filesAnalyzed"`
		Checksums        []spdxChecksum `json:"checksums,omitempty"`
		LicenseConcluded string         `json:"licenseConcluded"`
		LicenseDeclared  string         `json:"licenseDeclared"`
		CopyrightText    string         `json:"copyrightText"`
		PrimaryPurpose   string         `json:"primaryPackagePurpose,omitempty"`
		Comment          string         `json:"comment,omitempty"`
		ExternalRefs     []spdxRef      `json:"externalRefs,omitempty"`
	}
	spdxChecksum struct {
		Algorithm string `json:"algorithm"`
		Value     string `json:"checksumValue"`
	}
	spdxRef struct {
		Category string `json:"referenceCategory"`
		Type     string `json:"referenceType"`
		Locator  string `json:"referenceLocator"`
	}
	spdxRelationship struct {
		Element string `json:"spdxElementId"`
		Type    string `json:"relationshipType"`
		Related string `json:"relatedSpdxElement"`
	}
)
