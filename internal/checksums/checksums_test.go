package checksums

import (
	"strings"
	"testing"

	"github.com/plugctl/plugctl/internal/fail"
)

func TestSumsSorted(t *testing.T) {
	arts := []Artifact{
		{Path: "b/x", SHA256: "22", Files: []File{{"b/x.cdx.json", "33"}, {"b/x.spdx.json", "55"}, {"b/x.intoto.jsonl", "66"}}},
		{Path: "a/x", SHA256: "11", Files: []File{{"a/x.cdx.json", "44"}, {"a/x.spdx.json", "77"}, {"a/x.intoto.jsonl", "88"}}},
	}
	want := "11  a/x\n44  a/x.cdx.json\n88  a/x.intoto.jsonl\n77  a/x.spdx.json\n22  b/x\n33  b/x.cdx.json\n66  b/x.intoto.jsonl\n55  b/x.spdx.json\n"
	if got := string(Sums(arts)); got != want {
		t.Errorf("Sums = %q, want %q", got, want)
	}
}

func TestCheck(t *testing.T) {
	jobs := []Job{{ID: "a", Target: "linux/amd64", Digest: "d1"}, {ID: "b", Target: "linux/arm64", Digest: "d2"}}
	tests := []struct {
		name string
		arts []Artifact
		want []string // parts of the error, none for no error
	}{
		{"all", []Artifact{{Path: "x", Target: "linux/amd64", Digest: "d1"}, {Path: "y", Target: "linux/arm64", Digest: "d2"}, {Path: "z", Target: "linux/arm64", Digest: "d2"}}, nil},
		{"missing", []Artifact{{Path: "x", Target: "linux/amd64", Digest: "d1"}}, []string{"job b (linux/arm64, d2) has no artifact"}},
		{"unplanned", []Artifact{{Path: "x", Target: "linux/amd64", Digest: "d1"}, {Path: "y", Target: "linux/arm64", Digest: "d2"}, {Path: "w", Target: "linux/amd64", Digest: "d9"}}, []string{"w (linux/amd64) is no job of the plan"}},
		{"other target", []Artifact{{Path: "x", Target: "linux/386", Digest: "d1"}, {Path: "y", Target: "linux/arm64", Digest: "d2"}}, []string{"x is for linux/386, but the plan's job a", "job a (linux/amd64, d1) has no artifact"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.arts, jobs)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			if err == nil || fail.KindOf(err) != fail.Mismatch {
				t.Fatalf("Check = %v, want a mismatch", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Check = %v, want %q in it", err, w)
				}
			}
		})
	}
}
