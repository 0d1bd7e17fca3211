package vendortree

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/signing"
)

// SignatureName is the signature's file name at the root of the tree. Like
// the manifest it is not listed in the manifest: it signs the manifest.
const SignatureName = "plugctl-vendor.sig"

// signatureHeader is the first line of the signed text, which versions its
// format.
const signatureHeader = "plugctl vendor tree signature v1"

// maxSignature bounds plugctl-vendor.sig: a few lines per signer.
const maxSignature = 64 << 10

// SignedText is the text a tree's signature signs (format v1):
//
//	plugctl vendor tree signature v1
//	manifest sha256:<hex SHA-256 of the bytes of plugctl-vendor.json>
//	lock sha256:<hex>                      (or "lock none")
//
// each line ending in a newline. The manifest digest pins every file of the
// tree (its path, size, executable bit and SHA-256), the config digest and
// the lock digest the manifest records; the lock line repeats the lock's
// digest (the manifest's "lock", the content digest of plugconfig.lock) so
// that what was signed reads off the text. A new format changes the first
// line.
func SignedText(manifest []byte, lock string) string {
	sum := sha256.Sum256(manifest)
	if lock == "" {
		lock = "none"
	}
	return fmt.Sprintf("%s\nmanifest sha256:%s\nlock %s\n", signatureHeader, hex.EncodeToString(sum[:]), lock)
}

// Sign returns the content of plugctl-vendor.sig for the tree whose
// manifest has the bytes manifest and records the lock digest lock: the
// signed text then one signature line per signer, in the signed-note format
// of golang.org/x/mod/sumdb/note. The signatures of existing (the tree's
// plugctl-vendor.sig, or nil) are kept when it signs the same text, so a
// tree can carry several signers' signatures. Ed25519 signatures are
// deterministic: the same tree signed with the same key gives the same file.
func Sign(manifest []byte, lock string, existing []byte, signers ...note.Signer) ([]byte, error) {
	n := &note.Note{Text: SignedText(manifest, lock)}
	if old := open(existing); old != nil && old.Text == n.Text {
		n.UnverifiedSigs = old.UnverifiedSigs
	}
	return note.Sign(n, signers...)
}

// Signers lists the IDs of the signatures in the content of a
// plugctl-vendor.sig, without checking them.
func Signers(data []byte) []string {
	var ids []string
	if n := open(data); n != nil {
		for _, s := range n.UnverifiedSigs {
			ids = append(ids, signing.ID(s.Name, s.Hash))
		}
	}
	return ids
}

// open parses a signed note without verifying it; nil when it is not one.
func open(data []byte) *note.Note {
	var unverified *note.UnverifiedNoteError
	if _, err := note.Open(data, note.VerifierList()); errors.As(err, &unverified) {
		return unverified.Note
	}
	return nil
}

// Signature is what CheckSignature found in a tree.
type Signature struct {
	// Present is set when the tree holds plugctl-vendor.sig.
	Present bool
	// Verified are the IDs ("name+hash") of the keys given whose
	// signature verified; Unverified those of the other signatures,
	// not checked.
	Verified, Unverified []string
	// Current is set when the signed text is the one this tree's manifest
	// and lock give (whoever signed it).
	Current bool
	// Data is the content of plugctl-vendor.sig.
	Data []byte
}

// CheckSignature checks the signature of the tree at dir, whose manifest
// has the bytes manifest (as Verify checked them) and records the lock
// digest lock, against keys. With keys, it fails with a fail.Mismatch error
// (exit 3) when the tree is unsigned, signed by none of keys (ids names
// them), signed over another manifest or lock (its files and manifest were
// edited together, or it was vendored again), or its signature file was
// altered. Without keys (nil) it only reports what is there.
func CheckSignature(dir string, manifest []byte, lock string, keys *signing.Keys) (*Signature, error) {
	name := filepath.Join(dir, SignatureName)
	data, err := files.ReadFile(name, maxSignature)
	if errors.Is(err, fs.ErrNotExist) {
		if keys != nil {
			return nil, fail.New(fail.Mismatch, "vendor tree %s is not signed (it has no %s), and --verify-key asks for a signature by %s", dir, SignatureName, strings.Join(keys.IDs, " or "))
		}
		return &Signature{}, nil
	}
	if err != nil {
		return nil, fail.Wrap(fail.Mismatch, fmt.Errorf("vendor tree %s: %w", dir, err))
	}
	sig := &Signature{Present: true, Data: data}
	n, err := signing.Open(data, keys)
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &invalid):
		return nil, fail.New(fail.Mismatch, "vendor tree %s: the signature by %s does not verify: %s was altered", dir, signing.ID(invalid.Name, invalid.Hash), SignatureName)
	case err != nil:
		return nil, fail.New(fail.Mismatch, "vendor tree %s: %s is not a signed note (%v)", dir, SignatureName, err)
	}
	sig.Verified, sig.Unverified = n.Verified, n.Unverified
	if keys != nil && len(sig.Verified) == 0 {
		return nil, fail.New(fail.Mismatch, "vendor tree %s is signed by %s, not by a key given with --verify-key (%s)", dir, n.Others(), strings.Join(keys.IDs, ", "))
	}
	want := SignedText(manifest, lock)
	sig.Current = n.Text == want
	if !sig.Current && len(sig.Verified) > 0 {
		return nil, fail.New(fail.Mismatch, "vendor tree %s: the signature by %s signs %s, but the tree has %s: its files and manifest changed after it was signed, or it was vendored again without --sign", dir, strings.Join(sig.Verified, ", "), describe(n.Text), describe(want))
	}
	return sig, nil
}

// describe says what a signed text pins: "manifest sha256:… and lock …".
func describe(text string) string {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 3 || lines[0] != signatureHeader || !strings.HasPrefix(lines[1], "manifest ") || !strings.HasPrefix(lines[2], "lock ") {
		return fmt.Sprintf("a text that is not a %q", signatureHeader)
	}
	return lines[1] + " and " + lines[2]
}
