//go:build linux

package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/plugctl/plugctl/internal/vendortree"
)

// snapshot measures (f): an offline rebuild of the example by this plugctl,
// which copies the verified vendor tree into a private directory and
// compiles from the copy, against plugctl built at the git revision base,
// which compiled from the tree itself; then what the copy costs beside the
// verification alone, on the example's tree and on a large one.
func (b *bench) snapshot(n int, base string) error {
	fmt.Fprintf(&b.md, "## (f) offline rebuild: compiling from a verified copy\n\n")
	rev, err := exec.Command("git", "-C", b.repo, "rev-parse", "--short=12", base+"^{commit}").Output()
	if err != nil {
		return fmt.Errorf("-baseline %s: %v", base, err)
	}
	short := strings.TrimSpace(string(rev))
	b.logf("(f) building plugctl at %s", short)
	src := filepath.Join(b.tmp, "baseline-src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return err
	}
	archive := exec.Command("sh", "-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", b.repo, short, src)
	if out, err := archive.CombinedOutput(); err != nil {
		return fmt.Errorf("extracting plugctl at %s: %v\n%s", short, err, out)
	}
	old := filepath.Join(b.tmp, "bin", "plugctl-"+short)
	if _, err := b.cmd(src, nil, "go", "build", "-o", old, "./cmd/plugctl"); err != nil {
		return err
	}
	// Each plugctl builds its own copy of the project: an artifact's
	// record names the plugctl that built it, so a no-op build by one
	// would not reuse the other's.
	projects := map[string]string{}
	for i, bin := range []string{old, b.plugctl} {
		proj, err := b.example(filepath.Join(b.tmp, fmt.Sprintf("oproject%d", i)))
		if err != nil {
			return err
		}
		if _, err := b.cmd(proj, nil, bin, "vendor", "-q"); err != nil {
			return err
		}
		projects[bin] = proj
	}
	force := []string{"build", "--offline", "--force", "-q"}
	noop := []string{"build", "--offline", "-q"}
	for _, bin := range []string{old, b.plugctl} { // warm both
		if _, err := b.cmd(projects[bin], nil, bin, force...); err != nil {
			return err
		}
	}
	pair := func(args []string) (olds, news []time.Duration, ratios []float64, err error) {
		for i := range n {
			b.logf("(f) plugctl %s: run %d/%d", strings.Join(args, " "), i+1, n)
			var od, nd time.Duration
			runOld := func() error { d, err := b.cmd(projects[old], nil, old, args...); od = d; return err }
			runNew := func() error { d, err := b.cmd(projects[b.plugctl], nil, b.plugctl, args...); nd = d; return err }
			first, second := runOld, runNew
			if i%2 == 1 {
				first, second = runNew, runOld
			}
			if err := first(); err != nil {
				return nil, nil, nil, err
			}
			if err := second(); err != nil {
				return nil, nil, nil, err
			}
			olds, news = append(olds, od), append(news, nd)
			ratios = append(ratios, float64(nd)/float64(od))
		}
		return olds, news, ratios, nil
	}
	fo, fn, fr, err := pair(force)
	if err != nil {
		return err
	}
	no, nn, nr, err := pair(noop)
	if err != nil {
		return err
	}
	ratio := float64(median(fn)) / float64(median(fo))
	fmt.Fprintf(&b.md, "An offline build verifies the vendor tree, then copies it into a directory of its own under `.plugctl` (mode 0700, a fresh name) checking every copied byte against the manifest again, and compiles from the copy, so that no other process can change what is compiled after it was verified (SECURITY.md). Before, it compiled from the tree itself. The project is the example, vendored with `plugctl vendor -q`, one copy for each plugctl (an artifact's record names the plugctl that built it); the two ran interleaved, %d runs each, the order alternating. `%s` is plugctl built at that revision.\n\n", n, short)
	fmt.Fprintf(&b.md, "| command | plugctl at %s (in place) | this plugctl (from the copy) | median of per-run ratios |\n|---|---|---|---|\n", short)
	fmt.Fprintf(&b.md, "| `plugctl %s` | %s (%s) | %s (%s) | %.3f× |\n", strings.Join(force, " "), ms(median(fo)), list(fo), ms(median(fn)), list(fn), medianFloat(fr))
	fmt.Fprintf(&b.md, "| `plugctl %s` (reused: nothing is copied) | %s (%s) | %s (%s) | %.3f× |\n\n", strings.Join(noop, " "), ms(median(no)), list(no), ms(median(nn)), list(nn), medianFloat(nr))
	fmt.Fprintf(&b.md, "Ratio of the medians of the offline rebuild, this plugctl / plugctl at %s: **%.3f×** (target ≤ 1.10×: %s).\n\n", short, ratio, b.verdict(ratio <= 1.10, "(f) offline rebuild ≤ 1.10×"))

	// The copy against the verification alone, in this process.
	tree := filepath.Join(projects[b.plugctl], ".plugctl", "vendor")
	large := filepath.Join(b.tmp, "large-tree")
	const files, size = 4000, 16 << 10
	b.logf("(f) writing a tree of %d files", files)
	if err := largeTree(large, files, size); err != nil {
		return err
	}
	fmt.Fprintf(&b.md, "What the copy costs beside the verification it repeats, measured in one process (`vendortree.Verify`, then `vendortree.Snapshot` into a fresh directory), median of %d runs each, the page cache warm:\n\n", n)
	fmt.Fprintf(&b.md, "| tree | files | bytes | verify in place | copy and check (snapshot) |\n|---|---|---|---|---|\n")
	for _, t := range []struct{ name, dir string }{{"the example's vendor tree", tree}, {fmt.Sprintf("a generated tree, %d files of %d KiB", files, size>>10), large}} {
		m, _, err := vendortree.Verify(t.dir)
		if err != nil {
			return err
		}
		var total int64
		for _, f := range m.Files {
			total += f.Size
		}
		var vt, st []time.Duration
		for range n {
			start := time.Now()
			if _, _, err := vendortree.Verify(t.dir); err != nil {
				return err
			}
			vt = append(vt, time.Since(start))
			dst, err := os.MkdirTemp(b.tmp, "snap-")
			if err != nil {
				return err
			}
			start = time.Now()
			if err := vendortree.Snapshot(t.dir, m, dst); err != nil {
				return err
			}
			st = append(st, time.Since(start))
			removeAll(dst)
		}
		fmt.Fprintf(&b.md, "| %s | %d | %.1f MiB | %s | %s |\n", t.name, len(m.Files), float64(total)/(1<<20), ms(median(vt)), ms(median(st)))
	}
	fmt.Fprintf(&b.md, "\nAn offline build that compiles pays both (the verification, then the copy); one that reuses every artifact pays the verification only. The copy is made by the kernel (`copy_file_range`, which shares extents on a file system with copy-on-write such as Btrfs or XFS) and hashed once made; hard links are never used, since a link is the tree's own file.\n\n")
	return nil
}

// largeTree writes a vendor tree of n files of size random bytes each,
// spread over directories of 50, with its manifest.
func largeTree(dir string, n, size int) error {
	data := make([]byte, size)
	for i := range n {
		p := filepath.Join(dir, "vendor", fmt.Sprintf("m%03d", i/50), fmt.Sprintf("f%04d.go", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		rand.Read(data)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	_, err := vendortree.Write(dir, &vendortree.Manifest{Name: "large"})
	return err
}
