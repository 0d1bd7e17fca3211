package sbom

import (
	"encoding/json"
	"errors"
	"strings"
)

// Subject reads back, from an SBOM CycloneDX wrote, what it describes:
// the binary's SHA-256 (hex) and its target ("os/arch").
func Subject(doc []byte) (sha256, target string, err error) {
	var b bom
	if err := json.Unmarshal(doc, &b); err != nil {
		return "", "", err
	}
	c := b.Metadata.Component
	if b.BOMFormat != "CycloneDX" || c == nil {
		return "", "", errors.New("not a CycloneDX SBOM of a binary")
	}
	for _, h := range c.Hashes {
		if h.Alg == "SHA-256" {
			sha256 = h.Content
		}
	}
	for _, p := range c.Properties {
		if p.Name == "plugctl:target" {
			target = p.Value
		}
	}
	if sha256 == "" {
		return "", "", errors.New("the SBOM names no SHA-256 of its binary")
	}
	return sha256, target, nil
}

// SPDXSubject reads back, from an SBOM SPDX wrote, the SHA-256 (hex) of
// the binary it describes: the checksum of its package SPDXRef-Artifact.
func SPDXSubject(doc []byte) (sha256 string, err error) {
	var d spdxDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return "", err
	}
	if !strings.HasPrefix(d.SPDXVersion, "SPDX-") {
		return "", errors.New("not an SPDX document")
	}
	for _, p := range d.Packages {
		if p.SPDXID != "SPDXRef-Artifact" {
			continue
		}
		for _, c := range p.Checksums {
			if c.Algorithm == "SHA256" {
				return c.Value, nil
			}
		}
	}
	return "", errors.New("the SBOM names no SHA-256 of its binary (package SPDXRef-Artifact)")
}
