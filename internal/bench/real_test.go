//go:build linux

package main

import (
	"testing"
	"time"
)

// make bench and make bench-real write one file: each keeps the other's
// part.
func TestSpliceReal(t *testing.T) {
	section := realBegin + "\nreal v1\n" + realEnd + "\n"
	doc := spliceReal("# plugctl benchmarks\n\nexample\n", section)
	if want := "# plugctl benchmarks\n\nexample\n\n" + section; doc != want {
		t.Fatalf("appended:\n%q\nwant\n%q", doc, want)
	}
	if got := realSection(doc); got != section {
		t.Errorf("realSection = %q, want %q", got, section)
	}
	section2 := realBegin + "\nreal v2\n" + realEnd + "\n"
	doc2 := spliceReal(doc, section2)
	if want := "# plugctl benchmarks\n\nexample\n\n" + section2; doc2 != want {
		t.Errorf("replaced:\n%q\nwant\n%q", doc2, want)
	}
	if got := realSection("no section here"); got != "" {
		t.Errorf("realSection of a document without one = %q", got)
	}
}

// splitRun counts the commands before the compile once each, nested or
// overlapping ones included, and nothing after it.
func TestSplitRun(t *testing.T) {
	ms := int64(time.Millisecond)
	start := time.Unix(0, 0)
	end := time.Unix(0, 100*ms)
	calls := []goCall{
		{Tool: "go", Args: []string{"mod", "download"}, Start: 10 * ms, End: 30 * ms},
		{Tool: "git", Args: []string{"ls-remote"}, Start: 20 * ms, End: 25 * ms}, // inside go's
		{Tool: "git", Args: []string{"fetch"}, Start: 35 * ms, End: 40 * ms},
		{Tool: "go", Args: []string{"build", "-o", "x", "."}, Start: 50 * ms, End: 90 * ms},
	}
	a, err := splitRun(start, end, calls)
	if err != nil {
		t.Fatal(err)
	}
	want := around{pre: 50 * time.Millisecond, post: 10 * time.Millisecond, preCmds: 25 * time.Millisecond, compile: 40 * time.Millisecond}
	if a.pre != want.pre || a.post != want.post || a.preCmds != want.preCmds || a.compile != want.compile || a.own() != 35*time.Millisecond {
		t.Errorf("splitRun = pre %v post %v commands %v compile %v own %v, want %+v and own 35ms", a.pre, a.post, a.preCmds, a.compile, a.own(), want)
	}
	if _, err := splitRun(start, end, calls[:3]); err == nil {
		t.Error("splitRun found a go build in a run without one")
	}
}
