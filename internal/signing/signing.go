// Package signing holds plugctl's signing keys: Ed25519 keys in the
// signed-note format of golang.org/x/mod/sumdb/note, the format the Go
// checksum database signs with (SECURITY.md says what a signature proves).
//
// # Files
//
// plugctl key generate -o FILE writes two one-line files:
//
//	FILE       PRIVATE+KEY+<name>+<hash>+<base64 key>   mode 0600: the signing key
//	FILE.pub   <name>+<hash>+<base64 key>               the verifier key, to hand out
//
// <name> names the key in signatures, <hash> is note's 32-bit key hash (in
// hex): together they are the key's ID, "name+hash".
//
// A signing key is read only from a regular file that its owner alone can
// read (on Unix; Windows has no such mode bits), and never appears in a
// message, a log or plugctl's output.
package signing

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode"

	"golang.org/x/mod/sumdb/note"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
)

// PubSuffix names the verifier key beside the signing key.
const PubSuffix = ".pub"

// privatePrefix starts every encoded signing key.
const privatePrefix = "PRIVATE+KEY+"

// maxKeyFile bounds a key file: one line of a few dozen bytes.
const maxKeyFile = 4 << 10

// ID is a key's name and hash as signatures name it: "name+hash".
func ID(name string, hash uint32) string { return fmt.Sprintf("%s+%08x", name, hash) }

// CheckName checks a key name as note requires it: not empty, no white
// space and no '+'.
func CheckName(name string) error {
	if name == "" || strings.ContainsRune(name, '+') || strings.IndexFunc(name, unicode.IsSpace) >= 0 || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return fmt.Errorf("invalid key name %q (valid: not empty, no spaces, no '+')", name)
	}
	return nil
}

// Generate makes a new key pair named name and writes the signing key to
// path (mode 0600) and the verifier key to path+".pub". Each file is
// written whole under a temporary name and linked into place, so neither is
// ever half-written and neither replaces an existing file. It returns the
// key's ID and its verifier key.
func Generate(path, name string) (id, vkey string, err error) {
	if err := CheckName(name); err != nil {
		return "", "", fail.Wrap(fail.Config, err)
	}
	for _, p := range []string{path, path + PubSuffix} {
		if _, err := os.Lstat(p); err == nil {
			return "", "", fail.New(fail.Config, "%s exists: plugctl never replaces a key; remove it first or choose another -o", p)
		}
	}
	// A new directory for keys is the owner's alone.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", "", &fail.EnvError{Path: filepath.Dir(path), Err: err}
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return "", "", err
	}
	if err := create(path, []byte(skey+"\n"), 0o600); err != nil {
		return "", "", err
	}
	if err := create(path+PubSuffix, []byte(vkey+"\n"), 0o644); err != nil {
		os.Remove(path)
		return "", "", err
	}
	return ID(v.Name(), v.KeyHash()), vkey, nil
}

// create writes data to a new file at name, failing if name exists.
func create(name string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(name)
	f, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-*") // mode 0600
	if err != nil {
		return &fail.EnvError{Path: dir, Err: err}
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return &fail.EnvError{Path: name, Err: err}
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return &fail.EnvError{Path: name, Err: err}
	}
	if err := f.Close(); err != nil {
		return err
	}
	// A link, unlike a rename, fails when name exists.
	if err := os.Link(f.Name(), name); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fail.New(fail.Config, "%s exists: plugctl never replaces a key; remove it first or choose another -o", name)
		}
		return err
	}
	return nil
}

// Key is a signing key read from a file.
type Key struct {
	note.Signer
	Path string
	// sums are the SHA-256 of the key file and of the key with and
	// without its newline: what a copy of it in a tree would hash to.
	sums [3]string
}

// ID returns the key's "name+hash".
func (k *Key) ID() string { return ID(k.Name(), k.KeyHash()) }

// LoadKey reads the signing key at path. It refuses, as a usage error
// (exit 2), a key others can read (with the chmod to run), a file that is
// not a regular file, and one that holds no signing key — a verifier key
// given by mistake among them. No message quotes the file.
func LoadKey(path string) (*Key, error) {
	f, err := files.OpenRegular(path)
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("signing key: %w", err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("signing key: %w", err))
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("signing key %s: %w", path, err))
	}
	text := strings.TrimSpace(string(data))
	if len(data) > maxKeyFile || !strings.HasPrefix(text, privatePrefix) {
		if _, verr := note.NewVerifier(text); verr == nil {
			return nil, fail.New(fail.Config, "%s is a verifier key (.pub): sign with the signing key beside it", path)
		}
		return nil, fail.New(fail.Config, "%s is not a signing key (want the file plugctl key generate -o wrote)", path)
	}
	// Windows keeps no group and other permission bits: its ACLs are not
	// checked here.
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fail.New(fail.Config, "signing key %s can be read by others (mode %04o): run chmod 600 %s", path, perm, path)
	}
	s, err := note.NewSigner(text)
	if err != nil {
		return nil, fail.New(fail.Config, "%s is not a valid signing key", path) // never the key's text
	}
	sum := func(b []byte) string { h := sha256.Sum256(b); return fmt.Sprintf("%x", h) }
	return &Key{Signer: s, Path: path, sums: [3]string{sum(data), sum([]byte(text)), sum([]byte(text + "\n"))}}, nil
}

// CopyIn returns the path of a file among sums (paths to lowercase hex
// SHA-256, as a vendor manifest lists them) that is a copy of the key: a
// tree holding one must not be signed, nor bundled.
func (k *Key) CopyIn(sums map[string]string) (string, bool) {
	for p, s := range sums {
		for _, ks := range k.sums {
			if s == ks {
				return p, true
			}
		}
	}
	return "", false
}

// Keys are the verifier keys of --verify-key: a signature by any one of
// them is accepted.
type Keys struct {
	note.Verifiers
	IDs []string // in the order given
}

// LoadKeys reads the verifier keys at paths. A file that is not one — a
// signing key given by mistake among them, refused without quoting it — is
// a usage error (exit 2).
func LoadKeys(paths []string) (*Keys, error) {
	var vs []note.Verifier
	k := &Keys{}
	for _, p := range paths {
		data, err := files.ReadFile(p, maxKeyFile)
		if err != nil {
			return nil, fail.Wrap(fail.Config, fmt.Errorf("--verify-key: %w", err))
		}
		text := strings.TrimSpace(string(data))
		if strings.HasPrefix(text, privatePrefix) {
			return nil, fail.New(fail.Config, "--verify-key %s is a signing key: give its verifier key (%s%s), and keep the signing key private", p, p, PubSuffix)
		}
		v, err := note.NewVerifier(text)
		if err != nil {
			return nil, fail.New(fail.Config, "--verify-key %s is not a verifier key (want the .pub file plugctl key generate wrote)", p)
		}
		vs = append(vs, v)
		k.IDs = append(k.IDs, ID(v.Name(), v.KeyHash()))
	}
	k.Verifiers = note.VerifierList(vs...)
	return k, nil
}

// Opened is a signed note as Open read it.
type Opened struct {
	Text string // the signed text
	// Verified are the IDs ("name+hash") of the keys given whose
	// signature verified; Unverified those of the other signatures, not
	// checked.
	Verified, Unverified []string
}

// Open reads data as a signed note, checking the signatures of keys (none
// when nil). Its error is a *note.InvalidSignatureError when a signature by
// one of keys does not verify (the file was altered), another error when
// data is no signed note.
func Open(data []byte, keys *Keys) (*Opened, error) {
	known := note.VerifierList()
	if keys != nil {
		known = keys.Verifiers
	}
	n, err := note.Open(data, known)
	var unverified *note.UnverifiedNoteError
	switch {
	case errors.As(err, &unverified):
		n = unverified.Note
	case err != nil:
		return nil, err
	}
	o := &Opened{Text: n.Text}
	for _, s := range n.Sigs {
		o.Verified = append(o.Verified, ID(s.Name, s.Hash))
	}
	for _, s := range n.UnverifiedSigs {
		o.Unverified = append(o.Unverified, ID(s.Name, s.Hash))
	}
	return o, nil
}

// Others names who signed a note no key given verified: the unverified
// signers, or "no one".
func (o *Opened) Others() string {
	if len(o.Unverified) == 0 {
		return "no one"
	}
	return strings.Join(o.Unverified, ", ")
}

// PublicPEM reads the verifier key at path and returns its ID and its
// Ed25519 public key as a PEM "PUBLIC KEY" block (PKIX, RFC 8410): the
// same key for tools that do not read the signed-note format.
func PublicPEM(path string) (string, []byte, error) {
	keys, err := LoadKeys([]string{path})
	if err != nil {
		return "", nil, err
	}
	data, err := files.ReadFile(path, maxKeyFile)
	if err != nil {
		return "", nil, fail.Wrap(fail.Config, err)
	}
	// name+hash+base64(algorithm byte, key): NewVerifier checked the form.
	parts := strings.SplitN(strings.TrimSpace(string(data)), "+", 3)
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != 1 {
		return "", nil, fail.New(fail.Config, "%s is not an Ed25519 verifier key", path)
	}
	der, err := x509.MarshalPKIXPublicKey(ed25519.PublicKey(raw[1:]))
	if err != nil {
		return "", nil, err
	}
	return keys.IDs[0], pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
