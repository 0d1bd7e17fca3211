package sbom

import (
	"encoding/json"
	"errors"
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
