package kinds

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	msemver "github.com/Masterminds/semver/v3"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/testenv"
)

// lockFixture is a config's requests, a valid lock entry (pin) of each, and
// what the config allows each entry to be, written out from what the test
// made (a git repository, the test module proxy), not from the kinds' code.
type lockFixture struct {
	env   *source.Env
	reqs  []source.Request
	valid []source.Pin
	// allows reports whether an entry the check accepts for reqs[i] is one
	// the config resolves to; needsFetch, that only its content can say
	// (a pseudo-version's time, whether the proxy has a module version: a
	// fetch of one it has not fails, exit 4, as a lock naming it does).
	allows func(i int, p source.Pin) (ok, needsFetch bool)
	pool   []string // values the edits draw from
}

// gitRun runs git in dir with a fixed identity and clock (date) and
// returns its output.
func gitRun(tb testing.TB, dir, date string, args ...string) string {
	tb.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir,
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com", "GIT_COMMITTER_DATE="+date)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// newLockFixture makes a repository — main: c0 (v1.0.0), c1 (v1.1.0,
// v1.2.0-rc.1); dev: c0, d1 — and the requests of a config with one entry
// of each kind and of each sort of version.
func newLockFixture(tb testing.TB) *lockFixture {
	tb.Helper()
	dir := tb.TempDir()
	work, bare := filepath.Join(dir, "work"), filepath.Join(dir, "repo.git")
	times := map[string]time.Time{}
	commit := func(when time.Time, name, body string) string {
		if err := os.WriteFile(filepath.Join(work, name), []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
		d := when.Format(time.RFC3339)
		gitRun(tb, work, d, "add", "-A")
		gitRun(tb, work, d, "commit", "-q", "-m", name)
		c := gitRun(tb, work, d, "rev-parse", "HEAD")
		times[c] = when
		return c
	}
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	gitRun(tb, dir, "", "init", "-q", "-b", "main", work)
	gitRun(tb, work, "", "config", "user.email", "test@example.com")
	if err := os.WriteFile(filepath.Join(work, "go.mod"), []byte("module example.com/geo\n\ngo 1.22\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	c0 := commit(t0, "geo.go", "package geo\n")
	gitRun(tb, work, "", "tag", "v1.0.0")
	c1 := commit(t0.Add(time.Hour), "geo.go", "package geo\n\nconst V = 1\n")
	gitRun(tb, work, "", "tag", "v1.1.0")
	gitRun(tb, work, "", "tag", "v1.2.0-rc.1")
	gitRun(tb, work, "", "checkout", "-q", "-b", "dev", c0)
	d1 := commit(t0.Add(2*time.Hour), "dev.go", "package geo\n")
	gitRun(tb, work, "", "checkout", "-q", "main")
	gitRun(tb, dir, "", "clone", "-q", "--bare", work, bare)

	pseudo := func(c string) string { return "v0.0.0-" + times[c].Format("20060102150405") + "-" + c[:12] }
	url := "file://" + bare
	src := "git::" + url
	// An archive and a local directory, each a module.
	arch, sum := makeArchive(tb, filepath.Join(dir, "arch.tar.gz"), "module example.com/arch\n")
	if err := os.MkdirAll(filepath.Join(dir, "local"), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "local", "go.mod"), []byte("module example.com/local/v2\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	reqs := []source.Request{
		{Name: "gtag", Source: src, Version: "v1.0.0"},
		{Name: "gcons", Source: src, Version: "^1.0.0"},
		{Name: "gbranch", Source: src, Version: "dev"},
		{Name: "gnone", Source: src},
		{Name: "gcommit", Source: src, Version: c0},
		{Name: "glatest", Source: src, Version: "latest"},
		{Name: "mexact", Module: "example.com/metrics", Version: "v0.2.1"},
		{Name: "mcons", Module: "example.com/metrics", Version: "~0.2.0"},
		{Name: "mlatest", Module: "example.com/metrics", Version: "latest"},
		{Name: "arch", Source: "file://" + arch, Checksum: sum},
		{Name: "loc", Source: "./local", Dir: dir},
	}
	gitPin := func(v, c, ref string) source.Pin {
		return source.Pin{Version: v, Origin: source.Origin{Kind: source.Git, URL: url, Commit: c, Ref: ref}}
	}
	valid := []source.Pin{
		gitPin("v1.0.0", c0, "refs/tags/v1.0.0"),
		gitPin("v1.1.0", c1, "refs/tags/v1.1.0"),
		gitPin(pseudo(d1), d1, "refs/heads/dev"),
		gitPin("v1.2.0-rc.1", c1, "HEAD"),
		gitPin("v1.0.0", c0, ""),
		gitPin("v1.1.0", c1, "refs/tags/v1.1.0"),
		{Version: "v0.2.1", Origin: source.Origin{Kind: source.Module}},
		{Version: "v0.2.1", Origin: source.Origin{Kind: source.Module}},
		{Version: "v1.0.0", Origin: source.Origin{Kind: source.Module}},
		{Version: "v0.0.0", Origin: source.Origin{Kind: source.Archive, URL: "file://" + arch, SHA256: sum}},
		{Version: "v2.0.0", Origin: source.Origin{Kind: source.Local, Path: "./local"}},
	}
	for i := range valid {
		valid[i].Locked = true
	}
	// What the repository and the proxy hold, as the oracle knows them.
	tags := map[string]string{"refs/tags/v1.0.0": c0, "refs/tags/v1.1.0": c1, "refs/tags/v1.2.0-rc.1": c1}
	tagsAt := map[string][]string{c0: {"v1.0.0"}, c1: {"v1.1.0", "v1.2.0-rc.1"}}
	onMain, onDev := []string{c0, c1}, []string{c0, d1}
	proxied := []string{"v0.1.0", "v0.2.0", "v0.2.1", "v0.2.2-rc.1", "v0.3.0", "v1.0.0"}
	// gitVersion: the version of a commit is a tag at it, or its
	// pseudo-version, which only the fetched commit confirms.
	gitVersion := func(p source.Pin) (ok, fetch bool) {
		c := p.Origin.Commit
		if slices.Contains(tagsAt[c], p.Version) {
			return true, false
		}
		return p.Version == pseudo(c), true
	}
	tagged := func(p source.Pin, allowed func(v string) bool) bool {
		c, ok := tags[p.Origin.Ref]
		v := strings.TrimPrefix(p.Origin.Ref, "refs/tags/")
		return ok && c == p.Origin.Commit && v == p.Version && allowed(v)
	}
	reachable := func(p source.Pin, ref string, commits []string) (bool, bool) {
		if p.Origin.Ref != ref || !slices.Contains(commits, p.Origin.Commit) {
			return false, false
		}
		return gitVersion(p)
	}
	constraint := func(c, v string) bool {
		cons, err := msemver.NewConstraint(c)
		sv, verr := msemver.NewVersion(v)
		return err == nil && verr == nil && cons.Check(sv) && strings.HasPrefix(v, "v")
	}
	// module: a version the proxy does not have is the fetch's to refuse.
	module := func(p source.Pin, allowed func(v string) bool) (bool, bool) {
		return p.Origin == (source.Origin{Kind: source.Module}) && allowed(p.Version), !slices.Contains(proxied, p.Version)
	}
	allows := func(i int, p source.Pin) (bool, bool) {
		if i < 6 && p.Origin.URL != url {
			return false, false
		}
		switch reqs[i].Name {
		case "gtag":
			return p == valid[i], false
		case "gcons":
			return tagged(p, func(v string) bool { return v == "v1.0.0" || v == "v1.1.0" }), false
		case "gbranch":
			return reachable(p, "refs/heads/dev", onDev)
		case "gnone":
			return reachable(p, "HEAD", onMain)
		case "gcommit":
			if p.Origin.Ref != "" || p.Origin.Commit != c0 {
				return false, false
			}
			return gitVersion(p)
		case "glatest":
			if p.Origin.Ref == "HEAD" {
				return reachable(p, "HEAD", onMain)
			}
			return tagged(p, func(string) bool { return true }), false
		case "mexact":
			return module(p, func(v string) bool { return v == "v0.2.1" })
		case "mcons":
			return module(p, func(v string) bool { return constraint("~0.2.0", v) })
		case "mlatest":
			return module(p, func(v string) bool { return constraint(">=0.0.0-0", v) && !strings.Contains(v, "+") })
		}
		return p == valid[i], false
	}
	pool := []string{"", c0, c1, d1, strings.Repeat("0", 40), c1[:12],
		"refs/tags/v1.0.0", "refs/tags/v1.1.0", "refs/tags/v1.2.0-rc.1", "refs/heads/dev", "refs/heads/main", "HEAD", "refs/heads/evil",
		"v0.1.0", "v0.2.0", "v0.2.2-rc.1", "v0.2.9", "v1.0.0", "v1.1.0", "v1.2.0-rc.1", "v2.0.0", pseudo(d1), pseudo(c1), pseudo(c0),
		"v0.0.0-20000101000000-" + d1[:12], "v0.0.0", "module", "git", "archive", "local", "proxy", url, url + "//sub", "file:///srv/other.tar.gz",
		"sha256:" + strings.Repeat("cd", 32), "./other", "./local"}
	env := &source.Env{Sources: filepath.Join(dir, "src"), Work: tb.TempDir()}
	return &lockFixture{env: env, reqs: reqs, valid: valid, allows: allows, pool: pool}
}

// edit returns p with one field (by number) set to value.
func edit(p source.Pin, field uint8, value string) source.Pin {
	o := &p.Origin
	switch field % 7 {
	case 0:
		p.Version = value
	case 1:
		o.Kind = source.Kind(value)
	case 2:
		o.URL = value
	case 3:
		o.Commit = value
	case 4:
		o.Ref = value
	case 5:
		o.SHA256 = value
	case 6:
		o.Path = value
	}
	return p
}

// FuzzLockCheck holds random edits of a valid lock against its config: for
// each edit of one or two fields of one entry, either the check refuses it
// (a mismatch, or a config problem: never another failure) or the entry is
// one the config resolves to — for a git tag, exactly the tag's commit and
// version; for a branch, a commit on it with a version of that commit; for
// a constraint, a version inside it; for an archive or a directory, the
// config's own URL, checksum or path. What only the content can confirm (a
// pseudo-version's time, a module version's existence) is fetched and
// checked too. The check is the one every command runs before using a lock
// entry (Verify); the test module proxy serves the modules and a local
// repository the git entries.
func FuzzLockCheck(f *testing.F) {
	t0 := time.Now()
	fx := newLockFixture(f)
	f.Setenv("GOPROXY", testenv.Proxy(f))
	f.Setenv("GOSUMDB", "off")
	f.Setenv("GOMODCACHE", testenv.ModCache(f))
	f.Setenv("GOFLAGS", "")
	f.Setenv("GOTOOLCHAIN", "local")
	ctx := context.Background()
	for i := range fx.reqs {
		if _, err := Verify(ctx, fx.env, &fx.reqs[i], fx.valid[i]); err != nil {
			f.Fatalf("the valid lock entry of %s is refused: %v", fx.reqs[i].Name, err)
		}
		if ok, _ := fx.allows(i, fx.valid[i]); !ok {
			f.Fatalf("the oracle refuses the valid lock entry of %s", fx.reqs[i].Name)
		}
		// One seed per field, drawing values from the pool in turn, and
		// each entry with another's field.
		for field := uint8(0); field < 7; field++ {
			f.Add(uint8(i), field, uint8(int(field)*5+i), "", uint8(0), uint8(0))
		}
	}
	// The attacks of the corpus: a git tag's ref moved to a branch, HEAD,
	// another tag or none, with a commit on it; a version out of its
	// constraint.
	for _, ref := range []uint8{9, 11, 7, 0} {
		f.Add(uint8(0), uint8(4), ref, "", uint8(3), uint8(3))
	}
	f.Add(uint8(7), uint8(0), uint8(13), "", uint8(0), uint8(0))
	f.Add(uint8(2), uint8(0), uint8(0), "v0.0.0-20240102050405-"+fx.pool[3][:12], uint8(0), uint8(0))
	f.Logf("fixture made in %s", time.Since(t0))

	f.Fuzz(func(t *testing.T, entry, field, pick uint8, value string, field2, pick2 uint8) {
		i := int(entry) % len(fx.reqs)
		if value == "" {
			value = fx.pool[int(pick)%len(fx.pool)]
		}
		p := edit(fx.valid[i], field, value)
		if field2 != field {
			p = edit(p, field2, fx.pool[int(pick2)%len(fx.pool)])
		}
		r := &fx.reqs[i]
		pin, err := Verify(ctx, fx.env, r, p)
		if err != nil {
			refused(t, r, p, err)
			return
		}
		ok, needsFetch := fx.allows(i, p)
		if ok && !needsFetch && pin.Version != "" {
			return // a resolution of the config, and all Verify needs to know
		}
		// What only the content can confirm: fetch it, as a command does.
		k, _ := For(r)
		c, err := k.Fetch(ctx, fx.env, r, pin)
		if err == nil {
			err = CheckFetched(r, c, p)
		}
		switch {
		case err != nil && ok && !needsFetch:
			t.Fatalf("%s: the fetch refuses %+v, a resolution of the config: %v", r.Name, p, err)
		case err != nil && needsFetch && fail.KindOf(err) == fail.Fetch:
			// A module version the proxy does not have.
		case err != nil:
			refused(t, r, p, err)
		case !ok:
			t.Fatalf("%s: the check accepts %+v, which the config does not resolve to", r.Name, p)
		}
	})
}

// makeArchive writes a .tar.gz holding a go.mod at name and returns name
// and its checksum.
func makeArchive(tb testing.TB, name, gomod string) (string, string) {
	tb.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "go.mod", Mode: 0o644, Size: int64(len(gomod))}); err != nil {
		tb.Fatal(err)
	}
	if _, err := tw.Write([]byte(gomod)); err != nil {
		tb.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return name, "sha256:" + hex.EncodeToString(sum[:])
}

// refused checks that the check refused p for r the way a lock is refused:
// a mismatch (*source.Unsatisfied, or a tag that moved) or a problem of
// the config, never an unexpected failure.
func refused(t *testing.T, r *source.Request, p source.Pin, err error) {
	t.Helper()
	var u *source.Unsatisfied
	switch k := fail.KindOf(err); {
	case errors.As(err, &u):
		if k != fail.Mismatch {
			t.Fatalf("%s: %+v: an unsatisfied entry of kind %v: %v", r.Name, p, k, err)
		}
	case k == fail.Mismatch, k == fail.Config:
	default:
		t.Fatalf("%s: %+v: refused with a failure of kind %v: %v", r.Name, p, k, err)
	}
	if !strings.HasPrefix(err.Error(), source.Label(r.Name)+":") && !strings.Contains(err.Error(), fmt.Sprintf("%q", r.Name)) {
		t.Fatalf("%s: the refusal does not name the entry: %v", r.Name, err)
	}
}
