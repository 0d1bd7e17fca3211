package git

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/mod/semver"

	"github.com/plugctl/plugctl/internal/versions"
)

// FuzzRefs feeds arbitrary `git ls-remote` output — what a hostile server
// chooses to advertise — to the ref parser and the version matching built
// on it, with an arbitrary version from the config. Refs are only ever
// matched in Go, never passed to git, so what must hold is: nothing
// panics; every ref parsed names a full commit hash (the only thing that
// reaches git later); the refs come out sorted and unique; the semver tags
// chosen from them are canonical versions; a moved or missing tag is a
// mismatch and an unchanged one is not; and the version check refuses what
// git could read as an option.
func FuzzRefs(f *testing.F) {
	c1, c2 := strings.Repeat("a", 40), strings.Repeat("b", 40)
	f.Add(c1+"\trefs/heads/main\n"+c2+"\trefs/tags/v1.0.0\n"+c1+"\trefs/tags/v1.0.0^{}\n", "v1.0.0", "")
	f.Add(c1+"\trefs/tags/sub/v2.0.0-rc.1\n"+c2+"\trefs/tags/v1.2.3\n", "^1", "sub")
	f.Add(c1+"\trefs/heads/--upload-pack=x\n", "--upload-pack=x", "")
	f.Add(c1+"\trefs/tags/v1.0.0\n"+c2+"\trefs/tags/v1.0.0\n", "latest", "")
	f.Add("not-a-hash\trefs/heads/main\n", "main", "")
	f.Add(strings.Repeat("c", 64)+"\trefs/tags/v01.0.0\n\n\n", "\x1b[2J", "a/b")
	f.Fuzz(func(t *testing.T, out, version, subdir string) {
		refs, err := parseRefs([]byte(out))
		if err == nil {
			for i, r := range refs {
				if !versions.IsCommit(r.Commit) {
					t.Fatalf("ref %q names %q, not a full commit hash", r.Name, r.Commit)
				}
				if i > 0 && refs[i-1].Name >= r.Name {
					t.Fatalf("refs not sorted and unique: %q then %q", refs[i-1].Name, r.Name)
				}
			}
			tags := semverTags(refs, subdir)
			for i, tg := range tags {
				if !semver.IsValid(tg.version) || semver.Canonical(tg.version) != tg.version {
					t.Fatalf("semver tag %q is not a canonical version", tg.version)
				}
				if i > 0 && tags[i-1].v.LessThan(tg.v) {
					t.Fatalf("semver tags not highest first: %s then %s", tags[i-1].version, tg.version)
				}
			}
			if len(refs) > 0 {
				r := refs[len(refs)/2]
				if tag, ok := r.Tag(); ok {
					if err := CheckTag("repo", refs, tag, r.Commit); err != nil {
						t.Fatalf("CheckTag of an unchanged tag %q: %v", tag, err)
					}
					if other := strings.Repeat("f", 40); other != r.Commit && CheckTag("repo", refs, tag, other) == nil {
						t.Fatalf("CheckTag accepts tag %q at another commit", tag)
					}
				}
			}
			_ = available(refs, tags)
			_ = tagAt(tags, version)
		}
		if checkVersion(version) == nil {
			if strings.HasPrefix(version, "-") || strings.ContainsFunc(version, unicode.IsControl) {
				t.Fatalf("checkVersion accepts %q", version)
			}
		}
	})
}
