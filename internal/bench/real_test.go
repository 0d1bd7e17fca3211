//go:build linux

package main

import "testing"

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
