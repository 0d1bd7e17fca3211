package module

import (
	"context"
	"net/http"
	"net/http/httptest"
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
