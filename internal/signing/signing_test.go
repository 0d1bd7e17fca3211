package signing

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/fail"
)

func TestGenerateLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys", "release.key")
	id, vkey, err := Generate(path, "release")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "release+") || len(id) != len("release+")+8 || !strings.HasPrefix(vkey, id+"+") {
		t.Fatalf("id %q, vkey %q", id, vkey)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("signing key mode %v, %v; want 0600", fi.Mode(), err)
		}
	}
	pub, err := os.ReadFile(path + PubSuffix)
	if err != nil || string(pub) != vkey+"\n" {
		t.Fatalf("%s = %q, %v", path+PubSuffix, pub, err)
	}
	if _, _, err := Generate(path, "release"); fail.KindOf(err) != fail.Config || !strings.Contains(err.Error(), "exists: plugctl never replaces a key") {
		t.Fatalf("Generate over an existing key: %v", err)
	}
	k, err := LoadKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if k.ID() != id {
		t.Errorf("LoadKey ID %s, want %s", k.ID(), id)
	}
	keys, err := LoadKeys([]string{path + PubSuffix})
	if err != nil || len(keys.IDs) != 1 || keys.IDs[0] != id {
		t.Fatalf("LoadKeys: %v %v", keys, err)
	}
	skey, _ := os.ReadFile(path)
	secret := strings.TrimSpace(string(skey))
	secret = secret[strings.LastIndex(secret, "+")+1:]
	for _, tt := range []struct {
		name string
		load func() error
		want string
	}{
		{"verifier key to sign", func() error { _, err := LoadKey(path + PubSuffix); return err }, "is a verifier key (.pub)"},
		{"signing key to verify", func() error { _, err := LoadKeys([]string{path}); return err }, "is a signing key: give its verifier key"},
		{"no such key", func() error { _, err := LoadKey(path + ".nope"); return err }, "no such file"},
		{"a directory", func() error { _, err := LoadKey(dir); return err }, "is not a regular file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.load()
			if err == nil || fail.KindOf(err) != fail.Config || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a config error with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("the error quotes the signing key: %v", err)
			}
		})
	}
	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o604); err != nil {
			t.Fatal(err)
		}
		_, err := LoadKey(path)
		var fe *fail.Error
		if !errors.As(err, &fe) || err.Error() != "signing key "+path+" can be read by others (mode 0604): run chmod 600 "+path {
			t.Fatalf("LoadKey of a readable key: %v", err)
		}
	}
}

func TestCheckName(t *testing.T) {
	for _, name := range []string{"", "a b", "a+b", "a\tb", "\u00a0"} {
		if CheckName(name) == nil {
			t.Errorf("CheckName(%q) accepted it", name)
		}
	}
	for _, name := range []string{"release", "ci.example.com/site-a", "ünï"} {
		if err := CheckName(name); err != nil {
			t.Errorf("CheckName(%q): %v", name, err)
		}
	}
}

func TestCopyIn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	if _, _, err := Generate(path, "k"); err != nil {
		t.Fatal(err)
	}
	k, err := LoadKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := k.CopyIn(map[string]string{"a": "00"}); ok {
		t.Fatal("CopyIn found a key in a tree without it")
	}
	if p, ok := k.CopyIn(map[string]string{"a": "00", "local/x/k": k.sums[0]}); !ok || p != "local/x/k" {
		t.Fatalf("CopyIn = %q, %v", p, ok)
	}
}

// TestPublicPEM: the PEM key verifies, with crypto/ed25519 alone, what the
// signing key signs: what a tool reading PKIX keys (cosign) checks.
func TestPublicPEM(t *testing.T) {
	path := filepath.Join(t.TempDir(), "release.key")
	id, _, err := Generate(path, "release")
	if err != nil {
		t.Fatal(err)
	}
	gotID, data, err := PublicPEM(path + PubSuffix)
	if err != nil || gotID != id {
		t.Fatalf("PublicPEM = %q, %v; want %s", gotID, err, id)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PUBLIC KEY" {
		t.Fatalf("not a PEM public key: %s", data)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	k, err := LoadKey(path)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("DSSEv1 28 application/vnd.in-toto+json 2 {}")
	sig, _ := k.Sign(msg)
	if !ed25519.Verify(pub.(ed25519.PublicKey), msg, sig) {
		t.Error("the PEM key does not verify the key's signature")
	}
	if _, _, err := PublicPEM(path); err == nil {
		t.Error("PublicPEM of a signing key succeeded")
	}
}
