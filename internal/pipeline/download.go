package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/digest"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/run"
	"github.com/plugctl/plugctl/internal/source"

	"golang.org/x/mod/module"
)

// A first lock of Caddy downloads hundreds of modules. go mod tidy
// downloads them as it loads packages, a few at a time, after every
// source is fetched; so as soon as resolve knows the versions of the core
// and of the plugs the module proxy serves, fetch starts the download of
// their module graph in the background (go mod download all of a module
// requiring just them), with more downloads at once than the go command
// runs by default (GOMAXPROCS, the CPU count: the downloads wait on the
// network, not the CPU), while git and archive sources are fetched. Tidy
// then finds the graph in the module cache. The download is only a head
// start: whatever it fails on, tidy fetches, and reports, itself.

// graphParallel is how many modules the background download fetches at
// once.
const graphParallel = 16

// graphDownload is the download of the build graph fetch starts.
type graphDownload struct {
	done chan struct{}
	n    atomic.Int64 // modules downloaded so far
}

// downloaded returns how many modules the download has fetched.
func (d *graphDownload) downloaded() int {
	if d == nil {
		return 0
	}
	return int(d.n.Load())
}

// fetchGraph (the fetch step of the commands that generate) starts the
// download of the build graph when generate will run go mod tidy, then
// fetches the sources.
func (s *State) fetchGraph(ctx context.Context) error {
	s.startGraphDownload(ctx)
	err := s.fetch(ctx)
	if n := s.graphDL.downloaded(); n > 0 {
		s.Count(report.Downloads, n, 0)
	}
	return err
}

// tidyAhead reports whether generate will complete the build module with
// go mod tidy: there is no lock, the config's resolution inputs changed,
// the command upgrades, or a component is not at its locked pin (what
// lockedGraph decides once the sources are fetched, told before).
func (s *State) tidyAhead() bool {
	if s.lock == nil || s.lock.old == nil || s.lock.opts.Upgrade || len(s.lock.opts.UpgradeNames) > 0 {
		return true
	}
	if s.lock.old.ConfigDigest != digest.Resolution(s.Config) {
		return true
	}
	for _, r := range s.requests {
		if !s.lock.pinned(r.Name) {
			return true
		}
	}
	return false
}

// startGraphDownload starts the background download of the graph of the
// components the module proxy serves, at their resolved versions, when
// generate will tidy; the lock's hashes, when there is a lock, are what
// go checks them against.
func (s *State) startGraphDownload(ctx context.Context) {
	if !s.tidyAhead() {
		return
	}
	var req []module.Version
	for i, r := range s.requests {
		p := s.pins[i]
		if p.err != nil || p.kind == nil || p.kind.Kind() != source.Module || r.Module == "" {
			continue
		}
		req = append(req, module.Version{Path: r.Module, Version: p.pin.Version})
	}
	if len(req) == 0 {
		return
	}
	goMod, err := codegen.GoMod(codegen.Module{Path: "plugctl.graph/" + s.Config.Name, Go: s.Toolchain.GoLine(), Require: req})
	if err != nil {
		return
	}
	dir, err := os.MkdirTemp("", "plugctl-graph-")
	if err != nil {
		return
	}
	if os.WriteFile(filepath.Join(dir, "go.mod"), goMod, 0o644) != nil || os.WriteFile(filepath.Join(dir, "go.sum"), s.seedGoSum(), 0o644) != nil {
		os.RemoveAll(dir)
		return
	}
	d := &graphDownload{done: make(chan struct{})}
	s.graphDL = d
	ctx, cancel := context.WithCancel(ctx)
	count := func(line string) bool {
		if zipFetched(line) {
			d.n.Add(1)
		}
		return true
	}
	go func() {
		defer close(d.done)
		defer os.RemoveAll(dir)
		_, _ = gotool.Run(ctx, s.R, run.Cmd{Dir: dir, StderrLine: count}, map[string]string{"GOFLAGS": "-mod=mod", "GOMAXPROCS": strconv.Itoa(graphParallel)}, "mod", "download", "-x", "all")
	}()
	s.onClose(func() {
		cancel()
		<-d.done
	})
}

// waitGraphDownload waits for the background download of the build graph
// to end, counting the modules it downloads, and returns how many it did.
func (s *State) waitGraphDownload() int {
	d := s.graphDL
	if d == nil {
		return 0
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-d.done:
			n := d.downloaded()
			if n > 0 {
				s.Count(report.Downloads, n, 0)
			}
			return n
		case <-tick.C:
			if n := d.downloaded(); n > 0 {
				s.Count(report.Downloads, n, 0)
			}
		}
	}
}

// zipFetched reports whether line, from go mod download -x, says a
// module's zip arrived ("# get URL.zip: 200 OK (0.123s)"): one module
// downloaded. A file:// module proxy says nothing.
func zipFetched(line string) bool {
	rest, ok := strings.CutPrefix(line, "# get ")
	return ok && strings.Contains(rest, ".zip: 200 ")
}
