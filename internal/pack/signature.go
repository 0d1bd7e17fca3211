package pack

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/signing"
)

// SigSuffix names an archive's signature beside it: FILE.tar.gz.sig.
const SigSuffix = ".sig"

// signatureHeader is the first line of the signed text, which versions its
// format.
const signatureHeader = "plugctl pack signature v1"

// MaxSignature bounds a signature file: a few lines per signer.
const MaxSignature = 64 << 10

// SignedText is the text an archive's signature signs (format v1), each
// line ending in a newline:
//
//	plugctl pack signature v1
//	archive sha256:<hex>
//	module <module path>
func SignedText(sum, mod string) string {
	return fmt.Sprintf("%s\narchive %s\nmodule %s\n", signatureHeader, sum, mod)
}

// Sign returns the content of the signature of the archive with the SHA-256
// sum ("sha256:<hex>") of module mod: the signed text, then one signature
// line per signer. Ed25519 signatures are deterministic: the same archive
// signed with the same key gives the same file.
func Sign(sum, mod string, signers ...note.Signer) ([]byte, error) {
	return note.Sign(&note.Note{Text: SignedText(sum, mod)}, signers...)
}

// IsSignature reports whether data is a pack signature, by its first line,
// without checking it.
func IsSignature(data []byte) bool {
	return strings.HasPrefix(string(data), signatureHeader+"\n")
}

// Signature is what CheckSignature found.
type Signature struct {
	Module string // the module the signed text names
	// Verified are the IDs ("name+hash") of the keys given whose
	// signature verified; Unverified those of the other signatures.
	Verified, Unverified []string
}

// CheckSignature checks data, the signature beside an archive whose SHA-256
// is sum, against keys. It fails with a fail.Mismatch error (exit 3) when
// data is no pack signature, a signature was altered, the signed text names
// another archive, or, with keys, no key given signed it. Without keys (nil)
// it only reports who signed.
func CheckSignature(name string, data []byte, sum string, keys *signing.Keys) (*Signature, error) {
	n, err := signing.Open(data, keys)
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &invalid):
		return nil, fail.New(fail.Mismatch, "%s: the signature by %s does not verify: the file was altered", name, signing.ID(invalid.Name, invalid.Hash))
	case err != nil:
		return nil, fail.New(fail.Mismatch, "%s is not a signed note (%v)", name, err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) != 3 || lines[0] != signatureHeader || !strings.HasPrefix(lines[1], "archive ") || !strings.HasPrefix(lines[2], "module ") {
		return nil, fail.New(fail.Mismatch, "%s does not sign a %q", name, signatureHeader)
	}
	sig := &Signature{Module: strings.TrimPrefix(lines[2], "module "), Verified: n.Verified, Unverified: n.Unverified}
	if signed := strings.TrimPrefix(lines[1], "archive "); signed != sum {
		return nil, fail.New(fail.Mismatch, "%s signs the archive %s, but the archive beside it is %s: it was packed again, or altered, after it was signed", name, signed, sum)
	}
	if keys != nil && len(sig.Verified) == 0 {
		return nil, fail.New(fail.Mismatch, "%s is signed by %s, not by a key given with --verify-key (%s)", name, n.Others(), strings.Join(keys.IDs, ", "))
	}
	return sig, nil
}
