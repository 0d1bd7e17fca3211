// Package watch tells when the files that feed a build change, by polling:
// it lists them with their size and modification time every Interval and
// compares. Polling needs no file-system events API, works alike on every
// system and on network file systems, and costs a directory walk per
// interval, which the source trees of a core and its plugs keep small.
//
// A root is a file, or a directory whose files are watched recursively but
// for those that do not feed a build: hidden files and directories (.git,
// .plugctl, an editor's .swp), testdata directories, _test.go files and
// editor backups ending in ~. Paths given to Ignore (a build's own outputs)
// are left out too.
package watch

import (
	"context"
	"io/fs"
	"maps"
	"path/filepath"
	"strings"
	"time"
)

// Interval is how often Wait polls.
const Interval = 500 * time.Millisecond

// Snapshot is the state of the watched files: path -> size and
// modification time. A root that does not exist is recorded as absent, so
// that its appearing counts as a change.
type Snapshot map[string]state

type state struct {
	size  int64
	mtime time.Time
}

// Scan lists the files under roots, leaving out those ignore reports.
func Scan(roots []string, ignore func(path string) bool) Snapshot {
	s := Snapshot{}
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == root {
					s[root] = state{size: -1} // absent
				}
				return nil
			}
			name := d.Name()
			if p != root && (strings.HasPrefix(name, ".") || d.IsDir() && name == "testdata") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() || strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, "~") || ignore != nil && ignore(p) {
				return nil
			}
			if fi, err := d.Info(); err == nil {
				s[p] = state{fi.Size(), fi.ModTime()}
			}
			return nil
		})
	}
	return s
}

// Update returns s with the state of the files o lists (o a Scan of some
// of s's roots): what a build wrote itself, such as the lock, is then no
// change.
func (s Snapshot) Update(o Snapshot) Snapshot {
	out := maps.Clone(s)
	maps.Copy(out, o)
	return out
}

// Equal reports whether s and o list the same files in the same state.
func (s Snapshot) Equal(o Snapshot) bool { return maps.Equal(s, o) }

// Changed returns the files that differ between s and o (added, removed
// or changed), sorted by nothing in particular; at most max of them.
func (s Snapshot) Changed(o Snapshot, max int) []string {
	var out []string
	for p, st := range o {
		if old, ok := s[p]; (!ok || old != st) && len(out) < max {
			out = append(out, p)
		}
	}
	for p := range s {
		if _, ok := o[p]; !ok && len(out) < max {
			out = append(out, p)
		}
	}
	return out
}

// Wait polls roots() every interval until what it lists differs from last,
// then until it stays the same for one more interval (an editor saving
// several files, a formatter rewriting one, count as one change), and
// returns the new snapshot. roots is asked again at each poll: what feeds a
// build may change with the config. It returns ctx's error when ctx ends.
func Wait(ctx context.Context, interval time.Duration, last Snapshot, roots func() []string, ignore func(string) bool) (Snapshot, error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var changed Snapshot
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
		now := Scan(roots(), ignore)
		switch {
		case changed != nil && now.Equal(changed):
			return now, nil
		case changed != nil || !now.Equal(last):
			changed = now
		}
	}
}
