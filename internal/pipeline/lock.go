package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/mod/modfile"

	"github.com/plugctl/plugctl/internal/digest"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/kinds"
	"github.com/plugctl/plugctl/internal/suggest"
)

// LockOptions say how a command treats plugconfig.lock.
type LockOptions struct {
	// Locked fails the command (exit 3) instead of changing the lock: the
	// lock must exist, agree with the config, and hold what resolution
	// finds.
	Locked bool
	// Upgrade re-resolves every component instead of keeping its locked
	// version; UpgradeNames, when set, only the components named (plug
	// names, or "core").
	Upgrade      bool
	UpgradeNames []string
}

// lockState is what a project knows of its lock.
type lockState struct {
	opts LockOptions
	old  *lock.File // the lock as read; nil when there was none
	// disk is the lock on disk: old, or what save-lock wrote since; read
	// is set once use-lock has looked.
	disk *lock.File
	read bool
	// pins names the components resolved at their locked version; a pin
	// that does not satisfy the config is dropped while resolving (mu).
	mu   sync.Mutex
	pins map[string]bool
	// graph is the build graph's modules, read from the tidied go.sum.
	graph []lock.Module
}

// lockPath is where the lock file of the config lives: beside it, named
// after it (plugconfig.yaml → plugconfig.lock; see lock.PathFor).
func (s *State) lockPath() string {
	return filepath.Join(s.Config.Dir, filepath.Base(lock.PathFor(s.Config.File)))
}

// LockName is the lock file as messages name it: beside the config as the
// user named it.
func (s *State) LockName() string {
	return lock.PathFor(s.Config.File)
}

// useLock (use-lock) makes resolve and generate follow the lock beside
// the config: components whose config is unchanged keep their locked
// version (a lock is a pin, not a suggestion) unless the options upgrade
// them, and the locked module hashes are what go verifies downloads
// against. With --locked, a missing lock or one that disagrees with the
// config fails here, with a readable list of the differences.
func (s *State) useLock(context.Context) error {
	o := s.Opts.Lock
	if o.Locked && (o.Upgrade || len(o.UpgradeNames) > 0) {
		return fail.New(fail.Config, "--locked and --upgrade contradict each other: --locked forbids changing the lock")
	}
	st := &lockState{opts: o, pins: map[string]bool{}}
	s.lock = st
	valid := []string{source.CoreName}
	for _, pl := range s.Config.Enabled() {
		valid = append(valid, pl.Name)
	}
	for _, n := range o.UpgradeNames {
		if !slices.Contains(valid, n) {
			msg := "--upgrade " + n + ": no enabled plug has that name"
			if h := suggest.Hint(n, valid); h != "" {
				msg += ", " + h
			}
			return fail.New(fail.Config, "%s (valid: %s)", msg, strings.Join(slices.Sorted(slices.Values(valid)), ", "))
		}
	}
	old, err := lock.Load(s.lockPath(), s.LockName())
	st.read = true
	switch {
	case errors.Is(err, os.ErrNotExist):
		if o.Locked {
			return fail.New(fail.Mismatch, "%s does not exist, and --locked forbids making it; run plugctl lock to create it", s.LockName())
		}
		return nil
	case lock.IsProblem(err):
		// The advice is a failure of its own beside the problems, so that
		// it still shows when they are listed one by one.
		return fail.Wrap(fail.Mismatch, errors.Join(err, fmt.Errorf("%s is written by plugctl: fix the merge, or delete it and run plugctl lock", s.LockName())))
	case err != nil:
		return err
	}
	st.old, st.disk = old, old
	if o.Locked {
		if diff := lockDiff(s.Config, old); len(diff) > 0 {
			return fail.New(fail.Mismatch, "%s is out of date with %s:\n  %s\nrun plugctl lock to update it", s.LockName(), s.Config.File, strings.Join(diff, "\n  "))
		}
	}
	upgrade := map[string]bool{}
	for _, n := range o.UpgradeNames {
		upgrade[n] = true
	}
	for _, w := range wants(s.Config) {
		e, ok := old.Core, true
		if w.Name != source.CoreName {
			e, ok = old.Plugin(w.Name)
		}
		switch {
		case !ok:
		case o.Upgrade && (len(upgrade) == 0 || upgrade[w.Name]):
		case len(w.differences(e)) > 0:
			// The config asks for something else now: resolve it afresh.
		default:
			st.pins[w.Name] = true
		}
	}
	return nil
}

// lockOnDisk returns the lock file as it is on disk, nil when there is
// none (or it cannot be read: the steps that use it say why): read by
// use-lock and kept up to date by save-lock, or read now.
func (s *State) lockOnDisk() *lock.File {
	if s.lock != nil && s.lock.read {
		return s.lock.disk
	}
	f, err := lock.Load(s.lockPath(), s.LockName())
	if err != nil {
		return nil
	}
	return f
}

// lockedPin returns what the lock in use pins for the component name,
// when its config is unchanged and no --upgrade moves it: to be held to
// the config (source.Source.Verify) before it is used.
func (s *State) lockedPin(name string) (source.Pin, bool) {
	if s.lock == nil || s.lock.old == nil || !s.lock.pinned(name) {
		return source.Pin{}, false
	}
	e, ok := s.entry(name)
	return source.Pin{Version: e.Version, Origin: e.Origin, Locked: true, Hash: e.Hash}, ok
}

// pinned reports whether the component name is resolved at its locked
// version.
func (st *lockState) pinned(name string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.pins[name]
}

// unpin resolves the component name afresh: its lock entry does not
// satisfy the config.
func (st *lockState) unpin(name string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.pins, name)
}

// checkPins compares what resolution found for the pinned components with
// what the lock records. A fetched module whose hash changed is always an
// integrity failure; a local directory is locked by its path, and its
// content may change (its edits are the user's own). A plug whose
// build-time hooks run is compared once they ran (the hooks step).
func (s *State) checkPins() error {
	var probs []string
	for _, c := range s.Set.All() {
		if s.runsHooks(c) {
			continue
		}
		if p := s.pinProblem(c); p != "" {
			probs = append(probs, p)
		}
	}
	if len(probs) > 0 {
		return fail.New(fail.Mismatch, "what was fetched does not match %s:\n  %s\nrun plugctl lock to update it, after checking why it changed", s.LockName(), strings.Join(probs, "\n  "))
	}
	return nil
}

// pinProblem says how c, pinned by the lock, differs from what the lock
// records; "" when it does not, or is not pinned.
func (s *State) pinProblem(c source.Component) string {
	if s.lock == nil || s.lock.old == nil {
		return ""
	}
	e, ok := s.entry(c.Name)
	if !ok || !s.lock.pins[c.Name] {
		return ""
	}
	label := source.Label(c.Name)
	switch {
	case live(c.Kind):
	case e.Origin.Commit != "" && c.Origin.Commit != "" && c.Origin.Commit != e.Origin.Commit:
		return fmt.Sprintf("%s: %s is at commit %s, but the lock pins %s", label, c.Module, c.Origin.Commit, e.Origin.Commit)
	case c.Hash != e.Hash:
		return fmt.Sprintf("%s: %s@%s has hash %s, but the lock records %s: its content changed since it was locked", label, c.Module, c.Version, c.Hash, e.Hash)
	}
	return ""
}

// entry returns the old lock's entry for the named component.
func (s *State) entry(name string) (lock.Entry, bool) {
	if name == source.CoreName {
		return s.lock.old.Core, true
	}
	return s.lock.old.Plugin(name)
}

// seedGoSum returns the go.sum lines of the locked module hashes, written
// into the build module before its graph is completed so that the go
// command itself verifies every download against the lock.
func (s *State) seedGoSum() []byte {
	if s.lock == nil || s.lock.old == nil {
		return nil
	}
	return graphSum(s.lock.old.Modules)
}

// readGraph records the modules of the tidied build module in dir: those
// of its go.sum with their hashes, and those the config's replace map
// builds from a local directory (go.sum has nothing for them) by their
// directory.
func (s *State) readGraph(dir string) error {
	if s.lock == nil {
		s.lock = &lockState{pins: map[string]bool{}}
	}
	s.lock.graph = nil
	data, err := os.ReadFile(filepath.Join(dir, "go.sum"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	mods, err := parseGoSum(data)
	if err != nil {
		return err
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	f, err := modfile.ParseLax("go.mod", gomod, nil)
	if err != nil {
		return fmt.Errorf("reading the tidied go.mod: %w", err)
	}
	required := map[string]string{}
	for _, r := range f.Require {
		required[r.Mod.Path] = r.Mod.Version
	}
	for _, r := range s.Config.Replace {
		v := required[r.Path]
		if r.Dir == "" || v == "" {
			continue // not a directory, or not in the graph
		}
		// Locked by its path, like a local plug: its content is the
		// user's to edit.
		mods = append(mods, lock.Module{Path: r.Path, Version: v, Dir: r.Dir})
	}
	lf := lock.File{Modules: mods}
	lf.Sort()
	s.lock.graph = lf.Modules
	return nil
}

// parseGoSum reads go.sum lines into modules, sorted.
func parseGoSum(data []byte) ([]lock.Module, error) {
	byKey := map[[2]string]*lock.Module{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("go.sum:%d: malformed line", n)
		}
		path, version, hash := f[0], f[1], f[2]
		gomod := strings.HasSuffix(version, "/go.mod")
		version = strings.TrimSuffix(version, "/go.mod")
		k := [2]string{path, version}
		m := byKey[k]
		if m == nil {
			m = &lock.Module{Path: path, Version: version}
			byKey[k] = m
		}
		if gomod {
			m.GoModHash = hash
		} else {
			m.Hash = hash
		}
	}
	out := make([]lock.Module, 0, len(byKey))
	for _, m := range byKey {
		out = append(out, *m)
	}
	f := lock.File{Modules: out}
	f.Sort()
	return f.Modules, sc.Err()
}

// Lock returns the lock of the project as resolved (resolve, fetch) and
// generated (generate: the build graph).
func (s *State) Lock() *lock.File {
	f := &lock.File{
		LockVersion:  lock.Version,
		ConfigDigest: digest.Resolution(s.Config),
		Go:           s.Toolchain.Version,
		Core:         lockEntry(s.Set.Core, ""),
	}
	f.Core.Name = ""
	imports := map[string]string{}
	for _, w := range wants(s.Config) {
		imports[w.Name] = w.Import
	}
	for _, c := range s.Set.Plugs {
		e := lockEntry(c, imports[c.Name])
		e.Replaces = s.inheritedLines(c.Name)
		f.Plugins = append(f.Plugins, e)
	}
	if s.lock != nil {
		f.Modules = s.lock.graph
	}
	if s.Profile != nil {
		f.Order = s.Profile.Order
	}
	f.Sort()
	f.LockVersion = f.Format()
	return f
}

// lockEntry records a resolved component; imp is the config's import, when
// it set one.
func lockEntry(c source.Component, imp string) lock.Entry {
	hash := c.Hash
	if live(c.Kind) {
		hash = "" // a local directory is locked by its path
	}
	return lock.Entry{
		Name:      c.Name,
		Module:    c.Module,
		Requested: c.Requested,
		Import:    imp,
		Version:   c.Version,
		Origin:    c.Origin,
		Hash:      hash,
		Hooks:     c.Hooks,
	}
}

// Change is one difference between the lock before and after a command.
type Change struct {
	Name string `json:"name"` // plug name or "core"
	From string `json:"from"` // version before ("" when new)
	To   string `json:"to"`   // version after ("" when removed)
	Note string `json:"note,omitempty"`
}

// LockResult says what save-lock did.
type LockResult struct {
	Path    string   `json:"path"`
	Written bool     `json:"written"` // the file changed on disk
	Changes []Change `json:"changes"`
}

// saveLock (save-lock) writes the project's lock if it differs from the
// one on disk, atomically, and with note says so and what changed (the
// lock command prints it itself). With --locked, a difference fails the
// command (exit 3) instead. A new toolchain alone does not rewrite a
// lock: it changes no pin.
func (s *State) saveLock(note bool) error {
	nf := s.Lock()
	res := &LockResult{Path: s.lockPath(), Changes: []Change{}}
	s.Saved = res
	var old *lock.File
	if s.lock != nil {
		old = s.lock.old
	}
	if old != nil {
		same := *nf
		same.Go = old.Go
		if lock.Equal(&same, old) {
			return nil
		}
		// A lock of format 1 that pins all the new one does lacks only
		// how the build module requires each module, which format 1
		// cannot hold: it is up to date, and --locked accepts it; any
		// other command writes it in format 2, so that the next build
		// from it needs no go mod tidy.
		if old.LockVersion == 1 && nf.LockVersion == 2 && lock.Equal(same.Format1(), old) {
			if s.lock.opts.Locked {
				return nil
			}
			res.Changes = []Change{}
			return s.writeLock(nf, res, note, s.LockName()+": written in lock format 2 (it records how the build module requires each module, so builds from it need no go mod tidy)")
		}
	}
	res.Changes = changes(old, nf)
	if s.lock != nil && s.lock.opts.Locked {
		return fail.New(fail.Mismatch, "%s does not hold what the build needs, and --locked forbids changing it:\n  %s\nrun plugctl lock to update it", s.LockName(), strings.Join(describeChanges(old, nf, res.Changes), "\n  "))
	}
	msg := s.LockName() + ": written"
	for _, c := range res.Changes {
		msg += "\n  " + DescribeChange(c)
	}
	return s.writeLock(nf, res, note, msg)
}

// writeLock writes nf as the project's lock and, with note, says msg.
func (s *State) writeLock(nf *lock.File, res *LockResult, note bool, msg string) error {
	data, err := lock.Marshal(nf)
	if err != nil {
		return err
	}
	if err := files.WriteFile(s.lockPath(), data, 0o644); err != nil {
		return fmt.Errorf("writing the lock: %w", err)
	}
	res.Written = true
	if s.lock != nil {
		s.lock.disk = nf
	}
	s.inputs = nil // the artifacts' inputs include the lock's content
	if note {
		s.R.Note(msg)
	}
	return nil
}

// changes lists the components whose lock entry changed, core first, then
// plugs by name.
func changes(old, nf *lock.File) []Change {
	out := []Change{}
	before := map[string]lock.Entry{}
	after := map[string]lock.Entry{}
	var names []string
	if old != nil {
		before[source.CoreName] = old.Core
		for _, e := range old.Plugins {
			before[e.Name] = e
			names = append(names, e.Name)
		}
	}
	after[source.CoreName] = nf.Core
	for _, e := range nf.Plugins {
		after[e.Name] = e
		if _, ok := before[e.Name]; !ok {
			names = append(names, e.Name)
		}
	}
	slices.Sort(names)
	names = append([]string{source.CoreName}, names...)
	for _, n := range names {
		b, hadB := before[n]
		a, hadA := after[n]
		ch := Change{Name: n, From: b.Version, To: a.Version}
		switch {
		case !hadB:
			ch.Note = "added"
		case !hadA:
			ch.Note = "removed"
		case a.Module != b.Module || kinds.SourceOf(a.Origin) != kinds.SourceOf(b.Origin):
			ch.Note = "source changed"
		case a.Version != b.Version:
		case a.Origin.Commit != b.Origin.Commit:
			ch.Note = "commit " + short(b.Origin.Commit) + " → " + short(a.Origin.Commit)
		case !slices.EqualFunc(a.Hooks, b.Hooks, slices.Equal):
			ch.Note = "hooks changed"
		case a.Hash != b.Hash:
			ch.Note = "content changed"
		case a.Requested != b.Requested || a.Import != b.Import:
			ch.Note = "requested " + a.Requested
		case n == source.CoreName && old != nil && !slices.Equal(old.Order, nf.Order):
			ch.Note = "order " + strings.Join(nf.Order, " ")
		default:
			continue
		}
		out = append(out, ch)
	}
	return out
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// describeChanges says, one line each, how a new lock would differ from
// the old: the components' changes, then the modules of the graph.
func describeChanges(old, nf *lock.File, chs []Change) []string {
	var out []string
	for _, c := range chs {
		out = append(out, describeChange(c))
	}
	if old == nil {
		return out
	}
	have := map[string]lock.Module{}
	for _, m := range old.Modules {
		have[m.Path+"@"+m.Version] = m
	}
	want := map[string]bool{}
	for _, m := range nf.Modules {
		k := m.Path + "@" + m.Version
		want[k] = true
		h, ok := have[k]
		switch {
		case !ok:
			out = append(out, "module "+k+": needed by the build, not in the lock")
		case h.Hash != m.Hash || h.GoModHash != m.GoModHash || h.Dir != m.Dir:
			out = append(out, "module "+k+": hashes differ from the lock")
		case h.Require != m.Require:
			out = append(out, fmt.Sprintf("module %s: go mod tidy requires it %s, the lock %s", k, requireText(m.Require), requireText(h.Require)))
		}
	}
	for _, m := range old.Modules {
		if k := m.Path + "@" + m.Version; !want[k] {
			out = append(out, "module "+k+": in the lock, no longer in the build graph")
		}
	}
	if len(out) == 0 {
		out = append(out, "config_digest: the config's resolution inputs changed")
	}
	return out
}

// requireText names a lock.Module.Require value in messages.
func requireText(r string) string {
	if r == "" {
		return "by the rule"
	}
	return fmt.Sprintf("%q", r)
}

// describeChange renders one change for people.
func describeChange(c Change) string {
	label := source.Label(c.Name)
	switch c.Note {
	case "added":
		return fmt.Sprintf("%s: added at %s", label, c.To)
	case "removed":
		return fmt.Sprintf("%s: removed (was %s)", label, c.From)
	case "":
		return fmt.Sprintf("%s: %s → %s", label, c.From, c.To)
	}
	if c.From != c.To {
		return fmt.Sprintf("%s: %s → %s (%s)", label, c.From, c.To, c.Note)
	}
	return fmt.Sprintf("%s: %s (%s)", label, c.To, c.Note)
}

// DescribeChange renders one lock change for people, as plugctl lock
// prints it.
func DescribeChange(c Change) string { return describeChange(c) }
