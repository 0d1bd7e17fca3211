package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/sbom"
)

// built writes a binary into dir and returns it with its record and SBOM.
func built(t *testing.T, dir string, content string) (string, *artifact.Record, []byte) {
	t.Helper()
	bin := filepath.Join(dir, "hello")
	if err := os.WriteFile(bin, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(content))
	hexsum := hex.EncodeToString(sum[:])
	doc, err := sbom.CycloneDX(sbom.Input{Name: "hello", Target: "linux/amd64", SHA256: hexsum})
	if err != nil {
		t.Fatal(err)
	}
	rec := &artifact.Record{Schema: artifact.RecordSchema, Target: "linux/amd64", Digest: "sha256:" + strings.Repeat("ab", 32), SHA256: hexsum, Size: int64(len(content))}
	return bin, rec, doc
}

func TestPutGet(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "copy")
	if _, err := s.Get("sha256:"+strings.Repeat("ab", 32), "linux/amd64", tmp); !errors.Is(err, ErrMiss) {
		t.Fatalf("Get of an empty store: %v, want ErrMiss", err)
	}
	bin, rec, doc := built(t, t.TempDir(), "binary")
	if err := s.Put(bin, rec, artifact.Sides{CycloneDX: doc, SPDX: []byte("{}"), Provenance: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	e, err := s.Get(rec.Digest, rec.Target, tmp)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(tmp); string(got) != "binary" || e.Record.SHA256 != rec.SHA256 || string(e.Sides.CycloneDX) != string(doc) {
		t.Errorf("Get copied %q, record %+v", got, e.Record)
	}
	if _, err := s.Get(rec.Digest, "linux/arm64", filepath.Join(t.TempDir(), "x")); err == nil {
		t.Error("Get for another target: no error")
	}
}

// A damaged entry is refused, never copied, and Put replaces it.
func TestDamaged(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	bin, rec, doc := built(t, t.TempDir(), "binary")
	if err := s.Put(bin, rec, artifact.Sides{CycloneDX: doc, SPDX: []byte("{}"), Provenance: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	stored := filepath.Join(s.entry(rec.Digest), binName)
	if err := os.WriteFile(stored, []byte("evil!!"), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "copy")
	var d *DamagedError
	if _, err := s.Get(rec.Digest, rec.Target, tmp); !errors.As(err, &d) {
		t.Fatalf("Get of a damaged entry: %v, want a DamagedError", err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a damaged entry's binary was left at %s", tmp)
	}
	if err := s.Put(bin, rec, artifact.Sides{CycloneDX: doc, SPDX: []byte("{}"), Provenance: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(rec.Digest, rec.Target, tmp); err != nil {
		t.Errorf("Get after Put replaced the damaged entry: %v", err)
	}
}

// Writers racing on one digest leave one whole entry and no temporary
// directory.
func TestConcurrentPut(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	bin, rec, doc := built(t, t.TempDir(), strings.Repeat("binary", 1<<16))
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			// Each writer opens the store itself, as separate processes do.
			s2, err := Open(s.Dir())
			if err == nil {
				err = s2.Put(bin, rec, artifact.Sides{CycloneDX: doc, SPDX: []byte("{}"), Provenance: []byte("{}")})
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if _, err := s.Get(rec.Digest, rec.Target, filepath.Join(t.TempDir(), "copy")); err != nil {
		t.Error(err)
	}
	names, _ := os.ReadDir(filepath.Join(s.Dir(), version))
	if len(names) != 1 {
		var list []string
		for _, n := range names {
			list = append(list, n.Name())
		}
		t.Errorf("the store holds %q, want the entry alone", list)
	}
}
