package pipeline

import (
	"context"
	"debug/buildinfo"
	"go/version"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/build"
	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/digest"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/profile"
	"github.com/plugctl/plugctl/internal/provenance"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/sbom"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/kinds"
	"github.com/plugctl/plugctl/internal/vendortree"
)

// Artifact is one binary of a build, compiled by this run or reused.
type Artifact struct {
	build.Artifact
	SHA256 string // hex
	Size   int64
	Reused bool // nothing that feeds it changed: the go command did not run
	// FromStore says it was copied from the artifact store (Options.Store)
	// rather than compiled; Reused is then set too.
	FromStore bool
	// Audit is what the audit of its build module found before it was
	// written, when a policy has every build audited (policy.audit:
	// build); nil for an artifact reused or not audited.
	Audit *TargetAudit
}

// artifactInputs digests everything that feeds this project's artifacts besides the
// target (artifact.Inputs). It reads only the config, the files it names
// and the local sources: no go command, no network.
func (s *State) artifactInputs() (artifact.Inputs, error) {
	if s.inputs != nil {
		return *s.inputs, nil
	}
	c := s.Config
	var err error
	in := artifact.Inputs{
		Plugctl:   artifact.Tool(),
		Toolchain: s.Toolchain.Version,
		Config:    digest.Artifact(c),
		Tags:      c.Build.Tags,
		Ldflags:   c.Build.Ldflags,
		Gcflags:   s.Gcflags(),
		Cgo:       c.Build.Cgo,
		Sources:   map[string]string{},
	}
	for _, k := range s.Opts.Sign {
		in.Signers = append(in.Signers, k.ID())
	}
	if in.Created, err = sourceDate(); err != nil {
		return in, err
	}
	if in.Embed, err = s.embedInputs(); err != nil {
		return in, err
	}
	if f := s.lockOnDisk(); f != nil {
		// The lock as read: its digest from the parse, with no second
		// encoding; a lock save-lock wrote this run is digested.
		if in.Lock = f.ParsedDigest(); in.Lock == "" {
			if in.Lock, err = f.ContentDigest(); err != nil {
				return in, err
			}
		}
	}
	tmpl, err := s.template()
	if err != nil {
		return in, err
	}
	in.Template = sha256hex([]byte(codegen.MainTemplate(tmpl)))
	if profile.IsPath(c.Core.Profile) {
		// A profile file and its templates are the user's: they change
		// the binary with no change to the config. A shipped profile is
		// part of plugctl, which Plugctl identifies.
		d, err := profile.FileDigest(c.Dir, c.Core.Profile)
		if err != nil {
			return in, err
		}
		in.Template = sha256hex([]byte(in.Template + " profile " + d))
	}
	add := func(label, src string) error {
		if k, ok := kinds.Classify(src); !ok || !k.Rules().Live {
			return nil
		}
		h, err := s.treeHash(s.abs(src))
		if err != nil {
			return err
		}
		in.Sources[label] = h
		return nil
	}
	if err := add("core", c.Core.Source); err != nil {
		return in, err
	}
	for _, pl := range c.Enabled() {
		if err := add("plug "+pl.Name, pl.Source); err != nil {
			return in, err
		}
	}
	for _, r := range c.Replace {
		if r.Dir != "" {
			if err := add("replace "+r.Path, r.Dir); err != nil {
				return in, err
			}
		}
	}
	s.inputs = &in
	return in, nil
}

// pinned reports whether the config alone fixes every version of the build
// (what each kind fixes with no lookup — local sources, exact module
// versions — or a lock file), so that an artifact can be reused without
// resolving; and the core's version, for the {version} placeholder, when
// the config tells it.
func (s *State) pinned() (coreVersion string, ok bool) {
	_, err := os.Stat(s.lockPath())
	locked := err == nil
	reqs := s.Config.Requests()
	fixed := make([]string, len(reqs))
	for i := range reqs {
		k, ok := kinds.For(&reqs[i])
		if !ok {
			return "", false
		}
		v, ok := k.Fixed(&reqs[i])
		if !ok && !locked {
			return "", false
		}
		fixed[i] = v
	}
	if fixed[0] != "" {
		return fixed[0], true
	}
	// Only a lock knows the core's version: usable unless the output path
	// needs it.
	return "", !strings.Contains(s.Config.Build.Output, "{version}")
}

// reuse (the reuse step, before resolve) ends the run when every target's
// artifact is up to date, deciding from the config, the lock, the local
// sources and the records beside the artifacts alone — or, with a store
// (Options.Store), copied from the store's entry of its inputs: nothing is
// resolved, generated or compiled. It is the whole of a build that has
// nothing to do.
func (s *State) reuse(context.Context) error {
	coreVersion, ok := s.pinned()
	if !ok {
		return nil
	}
	in, err := s.artifactInputs()
	if err != nil {
		return nil // the full pipeline reports it
	}
	if strings.Contains(s.Output, "{version}") && coreVersion == "" {
		return nil
	}
	var arts []*Artifact
	for _, t := range s.Targets {
		path := s.outputFor(t, coreVersion)
		digest := in.Digest(t.String())
		if rec, ok := artifact.Check(path, digest, s.statDir()); ok {
			arts = append(arts, &Artifact{Artifact: build.Artifact{Target: t, Path: path}, SHA256: rec.SHA256, Size: rec.Size, Reused: true})
			continue
		}
		// What the store gives stays, a valid artifact, even if a later
		// target must be built: reuseTargets finds it in place.
		a, ok, err := s.fromStore(t, path, digest, nil)
		if err != nil || !ok {
			return err
		}
		arts = append(arts, a)
	}
	for _, a := range arts {
		s.keep(a)
	}
	s.Progress(len(arts), len(arts))
	s.done = true
	return nil
}

// keep records a, reused, as its target's artifact, and says so.
func (s *State) keep(a *Artifact) {
	if s.artifacts == nil {
		s.artifacts = map[platform.Target]*Artifact{}
	}
	s.artifacts[a.Target] = a
	if !a.FromStore {
		s.R.Note("reused " + display(a.Path) + " (nothing changed)")
	}
}

// moduleDir is the build module compile builds: the one generate wrote,
// or, offline, the private copy of the vendor tree snapshot made (the
// tree of a bundle this run unpacked itself).
func (s *State) moduleDir() string {
	switch {
	case s.buildDir != "":
		return s.buildDir
	case s.Offline:
		return s.TreeDir
	}
	return s.GenDir
}

// moduleHashes hashes the files of the build module compile builds: from
// the vendor manifest offline, which verify checked them against, else as
// they are in the module generate wrote.
func (s *State) moduleHashes() (map[string]string, error) {
	if s.Offline && s.Tree != nil {
		return treeGenerated(s.Tree.Manifest), nil
	}
	return generated(s.moduleDir())
}

// reuseTargets (the reuse step, once the build module is known) keeps
// the artifact of every target whose inputs and build module are those
// its record holds, and ends the run when that is every target.
func (s *State) reuseTargets(context.Context) error {
	in, err := s.artifactInputs()
	if err != nil {
		return err
	}
	if s.generated, err = s.moduleHashes(); err != nil {
		return err
	}
	n := 0
	for _, t := range s.Targets {
		path := s.output(t)
		digest := in.Digest(t.String())
		if rec, ok := artifact.Check(path, digest, s.statDir()); ok && maps.Equal(rec.Generated, s.generated) {
			s.keep(&Artifact{Artifact: build.Artifact{Target: t, Path: path}, SHA256: rec.SHA256, Size: rec.Size, Reused: true})
			n++
			continue
		}
		a, ok, err := s.fromStore(t, path, digest, s.generated)
		if err != nil {
			return err
		}
		if ok {
			s.keep(a)
			n++
		}
	}
	s.Progress(n, len(s.Targets))
	s.done = n == len(s.Targets)
	return nil
}

// toCompile lists the targets without an artifact yet, in target order.
func (s *State) toCompile() []platform.Target {
	var out []platform.Target
	for _, t := range s.Targets {
		if s.artifacts[t] == nil {
			out = append(out, t)
		}
	}
	return out
}

// compileDetail names the targets compile builds.
func (s *State) compileDetail() string {
	var names []string
	for _, t := range s.toCompile() {
		names = append(names, t.String())
	}
	return strings.Join(names, " ")
}

// compile (the compile step) builds the module for every target whose
// artifact is not up to date (all of them with --force), in parallel,
// once their output paths are checked. A failing target hides none of the
// others: their failures are joined, and record still records the
// targets that built.
func (s *State) compile(ctx context.Context) error {
	todo := s.toCompile()
	if err := s.checkOutputs(todo); err != nil {
		return err
	}
	if s.generated == nil {
		var err error
		if s.generated, err = s.moduleHashes(); err != nil {
			return err
		}
	}
	if s.Offline {
		if err := s.treeFacts(s.moduleDir()); err != nil {
			return err
		}
	}
	check, err := s.buildAudit()
	if err != nil {
		return err
	}
	tags, ldflags := s.BuildFlags()
	mirror, modcache, err := s.offlineMirror()
	if err != nil {
		return err
	}
	s.onClose(s.discarding.Wait) // record waits too; a run stopped before it, here
	built, err := build.Compile(ctx, s.R, build.Options{
		Dir:      s.moduleDir(),
		Targets:  todo,
		Output:   s.output,
		Tags:     tags,
		Ldflags:  ldflags,
		Gcflags:  s.Gcflags(),
		Cgo:      s.Config.Build.Cgo,
		Owners:   s.owners(),
		Notes:    map[string]string{source.CoreName: s.raisedNote()},
		Sources:  s.sourceDirs(),
		Locate:   s.locate,
		Packages: s.packages(),
		Vendor:   s.Offline && mirror == "",
		Mirror:   mirror,
		ModCache: modcache,
		Progress: s.Progress,
		Claim:    s.claim(),
		Discard:  s.discard,
		Check:    check,
		Built:    func(a build.Artifact) { s.startRead(a.Path) },
	})
	s.built, s.failedTargets = built, err
	if len(built) > 0 {
		return partial(err)
	}
	return err
}

// record (the record step) writes each new artifact's sha256 file, SBOM
// and record: what it was built from, so that the next build can reuse it.
// It fails with the targets compile could not build (after recording the
// others), and its own failure beside them.
func (s *State) record(context.Context) error {
	// The binaries compile replaced are freed while the new ones are
	// hashed and recorded; the step ends once they are.
	defer s.discarding.Wait()
	in, err := s.artifactInputs()
	if err != nil {
		return joinErrors([]error{s.failedTargets, err})
	}
	for i, b := range s.built {
		a, err := s.finish(b, in, s.generated)
		if err != nil {
			return joinErrors([]error{s.failedTargets, err})
		}
		if s.artifacts == nil {
			s.artifacts = map[platform.Target]*Artifact{}
		}
		a.Audit = s.audits[b.Target]
		s.artifacts[b.Target] = a
		s.Progress(i+1, len(s.built))
	}
	return s.failedTargets
}

// discard removes dir, a compiled binary's temporary directory holding the
// binary it replaced, while the run goes on (build.Options.Discard); record
// and Close wait for it.
func (s *State) discard(dir string) {
	s.discarding.Add(1)
	go func() {
		defer s.discarding.Done()
		os.RemoveAll(dir)
	}()
}

// binaryRead is artifact.ReadBinary of one compiled binary, under way or
// done (startRead).
type binaryRead struct {
	done chan struct{}
	bin  *artifact.Binary
	err  error
}

// startRead begins reading the binary compile has just put at path — its
// hash, its build information — while other targets may still compile
// (build.Options.Built); finish takes the result.
func (s *State) startRead(path string) {
	r := &binaryRead{done: make(chan struct{})}
	s.readsMu.Lock()
	if s.reads == nil {
		s.reads = map[string]*binaryRead{}
	}
	s.reads[path] = r
	s.readsMu.Unlock()
	go func() {
		defer close(r.done)
		r.bin, r.err = artifact.ReadBinary(path)
	}()
}

// readBinary returns what startRead read of the binary at path, waiting
// for it; it reads it now when nothing began to.
func (s *State) readBinary(path string) (*artifact.Binary, error) {
	s.readsMu.Lock()
	r := s.reads[path]
	s.readsMu.Unlock()
	if r == nil {
		return artifact.ReadBinary(path)
	}
	<-r.done
	return r.bin, r.err
}

// finish writes the files beside a freshly compiled artifact.
func (s *State) finish(b build.Artifact, in artifact.Inputs, gen map[string]string) (*Artifact, error) {
	// One read of the binary: its hash and its build information, begun
	// as soon as it was in place.
	bin, err := s.readBinary(b.Path)
	if err != nil {
		return nil, err
	}
	sum, size, bi := bin.SHA256, bin.Size, bin.Info
	created, _ := time.Parse(time.RFC3339, in.Created) // sourceDate wrote it
	bom := sbom.Input{
		Name: s.Config.Name, Version: s.Set.Core.Version, Target: b.Target.String(),
		SHA256: sum, GoVersion: bi.GoVersion, Tool: artifact.Version(), Cgo: s.Config.Build.Cgo,
		Components: s.components(bi), Created: created,
	}
	var docs artifact.Sides
	if docs.CycloneDX, err = sbom.CycloneDX(bom); err != nil {
		return nil, err
	}
	if docs.SPDX, err = sbom.SPDX(bom); err != nil {
		return nil, err
	}
	if docs.Provenance, err = provenance.Encode(s.provenance(b, sum, bi.GoVersion, in), s.Opts.Sign); err != nil {
		return nil, err
	}
	t := b.Target.String()
	rec := &artifact.Record{Schema: artifact.RecordSchema, Target: t, Digest: in.Digest(t), Inputs: in, Generated: gen, SHA256: sum, Size: size}
	if err := artifact.Write(b.Path, rec, docs, s.statDir()); err != nil {
		return nil, err
	}
	s.toStore(b.Path, rec, docs)
	return &Artifact{Artifact: b, SHA256: sum, Size: size}, nil
}

// provenance is the statement of the artifact b, which hashes to sum and
// was built by the toolchain goVersion from in: the lock's entries are its
// resolved dependencies (the lock on disk, or the vendor tree's offline).
func (s *State) provenance(b build.Artifact, sum, goVersion string, in artifact.Inputs) *provenance.Statement {
	f := s.lockOnDisk()
	if f == nil {
		f = s.setLock()
	}
	byPath := map[string]string{} // the fetched directory of each local source
	for _, c := range append([]source.Component{s.Set.Core}, s.Set.Plugs...) {
		if c.Origin.Path != "" {
			byPath[c.Origin.Path] = s.trees[c.Dir]
		}
	}
	contentHash := func(path string) string {
		if h := byPath[path]; h != "" {
			return h
		}
		return s.trees[s.abs(path)]
	}
	deps := append(provenance.Dependencies(f, contentHash), provenance.Toolchain(goVersion))
	return provenance.New(provenance.Input{
		Subject: filepath.Base(b.Path), SHA256: sum,
		External:     provenance.ExternalParameters{Config: "sha256:" + strings.TrimPrefix(in.Config, "sha256:"), Lock: in.Lock, Name: s.Config.Name, Target: b.Target.String()},
		Internal:     provenance.InternalParameters{Tags: in.Tags, Ldflags: in.Ldflags, Gcflags: in.Gcflags, Cgo: in.Cgo, Template: in.Template, Offline: s.Offline},
		Dependencies: deps,
		Plugctl:      artifact.Version(),
	})
}

// setLock is a lock of the core and plugs the run resolved, for a build
// that has no lock file to describe.
func (s *State) setLock() *lock.File {
	entry := func(c source.Component) lock.Entry {
		return lock.Entry{Name: c.Name, Module: c.Module, Version: c.Version, Origin: c.Origin, Hash: c.Hash, Hooks: c.Hooks}
	}
	f := &lock.File{Core: entry(s.Set.Core)}
	f.Core.Name = ""
	for _, c := range s.Set.Plugs {
		f.Plugins = append(f.Plugins, entry(c))
	}
	return f
}

// sourceDate is the time SOURCE_DATE_EPOCH names (RFC 3339, UTC), for the
// SPDX SBOM's creation time; "" when it is not set, which the SBOM writes as
// the Unix epoch. plugctl never writes the clock's time.
func sourceDate() (string, error) {
	v := os.Getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return "", nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return "", fail.New(fail.Config, "SOURCE_DATE_EPOCH=%q is not a number of seconds since 1970", v)
	}
	return time.Unix(n, 0).UTC().Format(time.RFC3339), nil
}

// components lists the modules linked into a binary for its SBOM, marking
// the core and the plugs and saying where their code came from, as the
// resolver found it (the lock records the same).
func (s *State) components(bi *buildinfo.BuildInfo) []sbom.Component {
	type known struct {
		role sbom.Role
		c    source.Component
	}
	by := map[string]known{s.Set.Core.Module: {sbom.RoleCore, s.Set.Core}}
	for _, c := range s.Set.Plugs {
		by[c.Module] = known{sbom.RolePlug, c}
	}
	replaced := map[string]string{} // module -> local directory of a replace
	for _, r := range s.Config.Replace {
		if r.Dir != "" {
			replaced[r.Path] = r.Dir
		}
	}
	var out []sbom.Component
	for _, d := range bi.Deps {
		c := sbom.Component{Role: sbom.RoleModule, Module: d.Path, Version: d.Version, Sum: d.Sum, Origin: source.Origin{Kind: source.Module}}
		if c.Sum == "" {
			c.Sum = s.vendorSums[d.Path+" "+d.Version] // -mod=vendor records no sums
		}
		k, ok := by[d.Path]
		switch {
		case ok:
			c.Role = k.role
			if k.role == sbom.RolePlug {
				c.Plug = k.c.Name
			}
			if c.Sum == "" {
				c.Sum = k.c.Hash
			}
			c.Origin = k.c.Origin
			if c.Sum == "" && live(k.c.Kind) {
				c.TreeHash = s.trees[k.c.Dir]
			}
		case replaced[d.Path] != "":
			dir := replaced[d.Path]
			c.Origin = source.Origin{Kind: source.Local, Path: dir}
			c.TreeHash = s.trees[s.abs(dir)]
		case d.Replace != nil && d.Replace.Version != "":
			c.Replace = d.Path + "@" + d.Version
			c.Version, c.Sum = d.Replace.Version, d.Replace.Sum
		}
		out = append(out, c)
	}
	return out
}

// statDir is where the artifacts' file identities are kept (artifact.Check).
func (s *State) statDir() string {
	return s.statePath("artifacts")
}

// generated hashes the files of the build module in dir.
func generated(dir string) (map[string]string, error) {
	gen := map[string]string{}
	names, err := moduleFiles(dir)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		gen[name] = sha256hex(data)
	}
	return gen, nil
}

// treeGenerated returns what generated returns for a vendor tree, from its
// manifest: the build module's own files are those at its root.
func treeGenerated(m *vendortree.Manifest) map[string]string {
	gen := map[string]string{}
	for _, f := range m.Files {
		if !strings.Contains(f.Path, "/") && (f.Path == "go.mod" || f.Path == "go.sum" || strings.HasSuffix(f.Path, ".go") || codegen.IsVersionResource(f.Path)) || codegen.IsEmbedded(f.Path) {
			gen[f.Path] = f.SHA256
		}
	}
	return gen
}

// display shortens path relative to the working directory when it is below
// it, for messages.
func display(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

// packages is build.Options.Packages: the packages compile compiled,
// counted; nil with a go command before 1.24, whose build has no -json.
func (s *State) packages() func(int) {
	if v := s.Toolchain.Version; version.IsValid(v) && version.Compare(v, "go1.24") < 0 {
		return nil
	}
	return func(n int) { s.Count(report.Packages, n, 0) }
}
