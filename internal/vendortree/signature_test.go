package vendortree

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/signing"
)

// testKeys makes a key pair named name in dir.
func testKeys(t testing.TB, dir, name string) (*signing.Key, *signing.Keys) {
	path := filepath.Join(dir, name+".key")
	if _, _, err := signing.Generate(path, name); err != nil {
		t.Fatal(err)
	}
	k, err := signing.LoadKey(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := signing.LoadKeys([]string{path + signing.PubSuffix})
	if err != nil {
		t.Fatal(err)
	}
	return k, v
}

func TestSignedText(t *testing.T) {
	got := SignedText([]byte("{}\n"), "sha256:abc")
	want := "plugctl vendor tree signature v1\nmanifest sha256:ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356\nlock sha256:abc\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := SignedText([]byte("{}\n"), ""); !strings.HasSuffix(got, "\nlock none\n") {
		t.Errorf("without a lock: %q", got)
	}
}

func TestSignature(t *testing.T) {
	keyDir := t.TempDir()
	release, releaseKeys := testKeys(t, keyDir, "release")
	other, otherKeys := testKeys(t, keyDir, "other")
	manifest, lock := []byte("{\"schema\": 1}\n"), "sha256:1234"
	tree := t.TempDir()
	write := func(data []byte) {
		if err := os.WriteFile(filepath.Join(tree, SignatureName), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mismatch := func(t *testing.T, err error, want string) {
		t.Helper()
		if fail.KindOf(err) != fail.Mismatch || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, want a mismatch with %q", err, want)
		}
	}

	// Unsigned.
	if sig, err := CheckSignature(tree, manifest, lock, nil); err != nil || sig.Present {
		t.Fatalf("unsigned, no keys: %+v, %v", sig, err)
	}
	_, err := CheckSignature(tree, manifest, lock, releaseKeys)
	mismatch(t, err, "is not signed (it has no plugctl-vendor.sig), and --verify-key asks for a signature by release+")

	// Signed: deterministic, verified by its key, refused by another.
	data, err := Sign(manifest, lock, nil, release)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Sign(manifest, lock, nil, release)
	if !bytes.Equal(data, again) {
		t.Fatal("two signatures of one tree by one key differ")
	}
	write(data)
	sig, err := CheckSignature(tree, manifest, lock, releaseKeys)
	if err != nil || len(sig.Verified) != 1 || sig.Verified[0] != release.ID() || !sig.Current {
		t.Fatalf("signed: %+v, %v", sig, err)
	}
	_, err = CheckSignature(tree, manifest, lock, otherKeys)
	mismatch(t, err, "is signed by "+release.ID()+", not by a key given with --verify-key ("+other.ID()+")")
	if sig, err := CheckSignature(tree, manifest, lock, nil); err != nil || !sig.Present || len(sig.Unverified) != 1 {
		t.Fatalf("signed, no keys: %+v, %v", sig, err)
	}

	// Another manifest or lock: the files and the manifest edited together.
	_, err = CheckSignature(tree, []byte("{\"schema\": 1, \"edited\": true}\n"), lock, releaseKeys)
	mismatch(t, err, "the signature by "+release.ID()+" signs manifest sha256:")
	_, err = CheckSignature(tree, manifest, "sha256:5678", releaseKeys)
	mismatch(t, err, "and lock sha256:1234, but the tree has manifest sha256:")

	// Two signers: either key verifies; a re-sign keeps the other's.
	both, err := Sign(manifest, lock, data, other)
	if err != nil {
		t.Fatal(err)
	}
	if ids := Signers(both); len(ids) != 2 {
		t.Fatalf("Signers = %v", ids)
	}
	write(both)
	for _, keys := range []*signing.Keys{releaseKeys, otherKeys} {
		if _, err := CheckSignature(tree, manifest, lock, keys); err != nil {
			t.Fatalf("two signers, keys %v: %v", keys.IDs, err)
		}
	}
	// Re-signing another manifest drops the old signatures.
	fresh, _ := Sign([]byte("new\n"), lock, both, other)
	if ids := Signers(fresh); len(ids) != 1 || ids[0] != other.ID() {
		t.Fatalf("Signers after a new manifest = %v", ids)
	}

	// Altered.
	altered := bytes.Replace(data, []byte("lock sha256:1234"), []byte("lock sha256:1235"), 1)
	write(altered)
	_, err = CheckSignature(tree, manifest, lock, releaseKeys)
	mismatch(t, err, "the signature by "+release.ID()+" does not verify: plugctl-vendor.sig was altered")
	write([]byte("garbage\n"))
	_, err = CheckSignature(tree, manifest, lock, releaseKeys)
	mismatch(t, err, "plugctl-vendor.sig is not a signed note")
}

// FuzzCheckSignature feeds arbitrary signature files to CheckSignature: it
// never panics, and accepts only a signature by the key over this very
// manifest and lock.
func FuzzCheckSignature(f *testing.F) {
	dir := f.TempDir()
	key, keys := testKeys(f, dir, "release")
	manifest, lock := []byte("{\"schema\": 1}\n"), "sha256:1234"
	good, err := Sign(manifest, lock, nil, key)
	if err != nil {
		f.Fatal(err)
	}
	other, err := Sign([]byte("other\n"), lock, nil, key)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(other)
	f.Add([]byte("plugctl vendor tree signature v1\n\n— release AAAA\n"))
	f.Add(bytes.ToUpper(good))
	tree := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(tree, SignatureName), data, 0o644); err != nil {
			t.Fatal(err)
		}
		sig, err := CheckSignature(tree, manifest, lock, keys)
		if err != nil {
			if fail.KindOf(err) != fail.Mismatch {
				t.Fatalf("not a mismatch: %v", err)
			}
			return
		}
		n, oerr := note.Open(data, keys.Verifiers)
		if oerr != nil || n.Text != SignedText(manifest, lock) || len(sig.Verified) == 0 {
			t.Fatalf("accepted %q: %+v (%v)", data, sig, oerr)
		}
	})
}
