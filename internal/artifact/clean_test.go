package artifact

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// writeArtifact writes a binary at path with its Record and sidecars, its
// identity recorded in state.
func writeArtifact(t *testing.T, path, state string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("binary "+path), 0o755); err != nil {
		t.Fatal(err)
	}
	sum, size, err := Hash(path)
	if err != nil {
		t.Fatal(err)
	}
	rec := &Record{Schema: RecordSchema, Target: "linux/amd64", SHA256: sum, Size: size}
	if err := Write(path, rec, Sides{CycloneDX: []byte("{}\n"), SPDX: []byte("{}\n"), Provenance: []byte("{}\n")}, state); err != nil {
		t.Fatal(err)
	}
}

func TestRecordedRemove(t *testing.T) {
	dist, state := t.TempDir(), t.TempDir()
	a, b := filepath.Join(dist, "a"), filepath.Join(dist, "b")
	writeArtifact(t, a, state)
	writeArtifact(t, b, state)
	got, err := Recorded(state)
	if err != nil || !slices.Equal(got, []string{a, b}) {
		t.Fatalf("Recorded = %q, %v; want %q", got, err, []string{a, b})
	}
	if none, err := Recorded(filepath.Join(state, "nosuch")); err != nil || none != nil {
		t.Errorf("Recorded of no directory = %q, %v", none, err)
	}

	// A dry run removes nothing.
	want := []string{a, SumPath(a), SBOMPath(a), SPDXPath(a), ProvenancePath(a), RecordPath(a)}
	if removed, err := Remove(a, true); err != nil || !slices.Equal(removed, want) {
		t.Errorf("Remove(dry run) = %q, %v; want %q", removed, err, want)
	}
	if _, err := os.Stat(a); err != nil {
		t.Fatalf("a dry run removed the binary: %v", err)
	}
	if removed, err := Remove(a, false); err != nil || !slices.Equal(removed, want) {
		t.Errorf("Remove = %q, %v; want %q", removed, err, want)
	}
	for _, p := range want {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there: %v", p, err)
		}
	}

	// A file edited, or put in the artifact's place, is not plugctl's to
	// remove.
	if err := os.WriteFile(b, []byte("the user's own file"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Remove(b, false); !errors.Is(err, ErrNotArtifact) {
		t.Errorf("Remove of an edited file: %v, want ErrNotArtifact", err)
	}
	if _, err := os.Stat(b); err != nil {
		t.Errorf("an edited file was removed: %v", err)
	}
	if _, err := Remove(filepath.Join(dist, "nosuch"), false); !errors.Is(err, ErrNotArtifact) {
		t.Errorf("Remove of nothing: %v, want ErrNotArtifact", err)
	}
}
