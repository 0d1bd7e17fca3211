package watch

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestScan(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"go.mod", "a.go", "sub/b.go", "a_test.go", "testdata/x", ".git/HEAD", ".a.go.swp", "a.go~", "dist/app"} {
		write(t, filepath.Join(dir, f), f)
	}
	config := filepath.Join(t.TempDir(), "plugconfig.yaml")
	write(t, config, "x")
	missing := filepath.Join(dir, "nosuch")
	s := Scan([]string{dir, config, missing}, func(p string) bool { return p == filepath.Join(dir, "dist/app") })
	var got []string
	for p := range s {
		got = append(got, p)
	}
	slices.Sort(got)
	want := []string{filepath.Join(dir, "a.go"), filepath.Join(dir, "go.mod"), missing, filepath.Join(dir, "sub/b.go"), config}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Scan lists %q, want %q", got, want)
	}

	// A test file or an ignored one changing is no change; a source is.
	write(t, filepath.Join(dir, "a_test.go"), "changed")
	write(t, filepath.Join(dir, "dist/app"), "rebuilt")
	if !s.Equal(Scan([]string{dir, config, missing}, func(p string) bool { return p == filepath.Join(dir, "dist/app") })) {
		t.Error("a test file or an ignored file counted as a change")
	}
	write(t, filepath.Join(dir, "sub/b.go"), "changed, longer")
	now := Scan([]string{dir, config, missing}, nil)
	if s.Equal(now) {
		t.Error("an edit is no change")
	}
	if ch := s.Changed(now, 10); !slices.Contains(ch, filepath.Join(dir, "sub/b.go")) {
		t.Errorf("Changed = %q, want sub/b.go among them", ch)
	}
}

func TestWait(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.go"), "one")
	roots := func() []string { return []string{dir} }
	last := Scan(roots(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan Snapshot)
	go func() {
		s, _ := Wait(ctx, 10*time.Millisecond, last, roots, nil)
		done <- s
	}()
	write(t, filepath.Join(dir, "a.go"), "two, longer")
	s := <-done
	if s.Equal(last) {
		t.Error("Wait returned no change")
	}
	cancel()
	if _, err := Wait(ctx, time.Millisecond, s, roots, nil); err != context.Canceled {
		t.Errorf("Wait after cancel: %v", err)
	}
}

func TestUpdate(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	write(t, a, "a")
	write(t, b, "b")
	last := Scan([]string{a, b}, nil)
	write(t, b, "written by the build")
	now := Scan([]string{a, b}, nil)
	if last.Equal(now) {
		t.Fatal("an edit is no change")
	}
	if !last.Update(Scan([]string{b}, nil)).Equal(now) {
		t.Error("Update did not take b's new state")
	}
	if last.Equal(now) {
		t.Error("Update changed the snapshot it was called on")
	}
}
