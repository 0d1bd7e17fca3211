package module

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/testenv"
)

// flakyProxy serves the test module proxy over HTTP on 127.0.0.1, failing
// with 503 the first fail requests under the module path flaky, and
// counting the requests under each path.
type flakyProxy struct {
	mu    sync.Mutex
	fail  int
	flaky string
	seen  map[string]int
}

func (p *flakyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request, files http.Handler) {
	p.mu.Lock()
	mod, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/@")
	p.seen[mod]++
	failing := mod == p.flaky && p.fail > 0
	if failing {
		p.fail--
	}
	p.mu.Unlock()
	if failing {
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
		return
	}
	files.ServeHTTP(w, r)
}

// TestDownloadRetries: a download that meets a proxy answering 503 is tried
// again, up to three times in all; one the proxy says does not exist (404)
// is tried once.
func TestDownloadRetries(t *testing.T) {
	dir := strings.TrimPrefix(testenv.Proxy(t), "file://")
	p := &flakyProxy{fail: 2, flaky: "example.com/metrics", seen: map[string]int{}}
	files := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.ServeHTTP(w, r, files) }))
	defer srv.Close()
	t.Setenv("GOPROXY", srv.URL)
	t.Setenv("GOSUMDB", "off")
	t.Setenv("GOFLAGS", "")
	t.Setenv("GOMODCACHE", testenv.ModCache(t))
	t.Setenv("HOME", t.TempDir())
	backoff := gotool.DefaultRetry.Backoff
	gotool.DefaultRetry.Backoff = time.Millisecond
	t.Cleanup(func() { gotool.DefaultRetry.Backoff = backoff })
	env := &source.Env{Work: t.TempDir()}

	d, err := Download(context.Background(), env, module.Version{Path: "example.com/metrics", Version: "v0.2.0"})
	if err != nil {
		t.Fatalf("Download after two 503s: %v", err)
	}
	if d.Version != "v0.2.0" || p.fail != 0 {
		t.Errorf("Download = %s, %d failures left", d.Version, p.fail)
	}

	p.fail = 3 // one more than the attempts
	_, err = Download(context.Background(), env, module.Version{Path: "example.com/metrics", Version: "v0.2.1"})
	if err == nil || !strings.Contains(err.Error(), "503 Service Unavailable") {
		t.Errorf("Download with three 503s: %v, want the 503", err)
	}
	if p.fail != 0 {
		t.Errorf("%d failures left after three attempts", p.fail)
	}

	_, err = Download(context.Background(), env, module.Version{Path: "example.com/nothere", Version: "v1.0.0"})
	if err == nil || !strings.Contains(err.Error(), "404 Not Found") {
		t.Errorf("Download of a missing module: %v, want its 404", err)
	}
	if n := p.seen["example.com/nothere"]; n != 1 {
		t.Errorf("a missing module was asked for %d times, want once", n)
	}
}

func TestTransient(t *testing.T) {
	for msg, want := range map[string]bool{
		"reading http://p/x/@v/v1.info: 503 Service Unavailable":                true,
		"reading http://p/x/@v/v1.info: 502 Bad Gateway":                        true,
		"dial tcp 127.0.0.1:443: connect: connection refused":                   true,
		"net/http: TLS handshake timeout":                                       true,
		"reading http://p/x/@v/v1.info: 404 Not Found\n\tserver response: gone": false,
		"reading http://p/x/@v/v1.info: 410 Gone":                               false,
		"example.com/x@v1.0.0: invalid version: unknown revision v1.0.0":        false,
		"module lookup disabled by GOPROXY=off":                                 false,
	} {
		if got := gotool.Transient(msg); got != want {
			t.Errorf("Transient(%q) = %v, want %v", msg, got, want)
		}
	}
}

// TestFetchFromModCache: a locked module the module cache holds whole with
// the lock's hash is what go mod download would report, read without go;
// a cache whose .ziphash disagrees with the lock, a module directory
// missing or partly extracted, a pin not from the lock or without a hash
// leave it to go mod download, as before: a hash that differs is then the
// one go reports (which the pipeline refuses), a directory missing is
// downloaded again.
func TestFetchFromModCache(t *testing.T) {
	dir := strings.TrimPrefix(testenv.Proxy(t), "file://")
	p := &flakyProxy{seen: map[string]int{}}
	files := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.ServeHTTP(w, r, files) }))
	defer srv.Close()
	cache := testenv.ModCache(t)
	t.Setenv("GOPROXY", srv.URL)
	t.Setenv("GOSUMDB", "off")
	t.Setenv("GOFLAGS", "")
	t.Setenv("GOMODCACHE", cache)
	t.Setenv("HOME", t.TempDir())
	ctx := context.Background()
	env := &source.Env{Work: t.TempDir(), ModCache: cache}
	r := &source.Request{Name: "metrics", Module: "example.com/metrics", Version: "v0.2.0"}
	m := module.Version{Path: r.Module, Version: r.Version}

	fetched, err := Source{}.Fetch(ctx, env, r, source.Pin{Version: "v0.2.0", Origin: source.Origin{Kind: source.Module}})
	if err != nil {
		t.Fatal(err)
	}
	locked := source.Pin{Version: "v0.2.0", Origin: source.Origin{Kind: source.Module}, Locked: true, Hash: fetched.Hash}
	if _, ok := Cached(env, m, locked); !ok {
		t.Fatal("Cached did not find the module go just downloaded")
	}
	c, err := Source{}.Fetch(ctx, env, r, locked)
	if err != nil {
		t.Fatal(err)
	}
	if c.Root != fetched.Root || c.Hash != fetched.Hash || c.Version != fetched.Version || c.Origin != fetched.Origin || c.GoMod.Module.Mod != fetched.GoMod.Module.Mod {
		t.Errorf("from the cache: %+v\nfrom go mod download: %+v", c, fetched)
	}

	for _, tc := range []struct {
		name string
		pin  source.Pin
	}{
		{"not locked", source.Pin{Version: "v0.2.0", Hash: fetched.Hash}},
		{"no hash", source.Pin{Version: "v0.2.0", Locked: true}},
		{"another hash", source.Pin{Version: "v0.2.0", Locked: true, Hash: "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}},
	} {
		if _, ok := Cached(env, m, tc.pin); ok {
			t.Errorf("%s: Cached took the module from the cache", tc.name)
		}
	}
	if _, ok := Cached(&source.Env{}, m, locked); ok {
		t.Error("Cached with no module cache took the module")
	}

	// A .ziphash that disagrees with the lock: go mod download runs and
	// reports the cache's hash, not the lock's.
	escaped := filepath.Join(cache, "cache", "download", "example.com", "metrics", "@v")
	zh := filepath.Join(escaped, "v0.2.0.ziphash")
	os.Chmod(escaped, 0o755)
	bad := "h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB="
	if err := os.WriteFile(zh, []byte(bad+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := Cached(env, m, locked); ok {
		t.Error("Cached took a module whose .ziphash disagrees with the lock")
	}
	c, err = Source{}.Fetch(ctx, env, r, locked)
	if err != nil {
		t.Fatal(err)
	}
	if c.Hash != bad {
		t.Errorf("Fetch with a .ziphash that disagrees: hash %s, want go's report of the cache, %s", c.Hash, bad)
	}
	if err := os.WriteFile(zh, []byte(fetched.Hash+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// Partly extracted: go's .partial marker.
	partial := filepath.Join(escaped, "v0.2.0.partial")
	if err := os.WriteFile(partial, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := Cached(env, m, locked); ok {
		t.Error("Cached took a module being extracted")
	}
	os.Remove(partial)

	// The directory missing: go mod download extracts it again.
	testenv.RemoveAll(fetched.Root)
	if _, ok := Cached(env, m, locked); ok {
		t.Error("Cached took a module whose directory is missing")
	}
	c, err = Source{}.Fetch(ctx, env, r, locked)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(c.Root); err != nil || !fi.IsDir() || c.Hash != fetched.Hash {
		t.Errorf("Fetch with the directory missing: %v, hash %s", err, c.Hash)
	}
	if _, ok := Cached(env, m, locked); !ok {
		t.Error("Cached did not find the module go extracted again")
	}
}
