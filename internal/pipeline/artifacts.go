package pipeline

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/build"
	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/digest"
	"github.com/plugctl/plugctl/internal/lock"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/sbom"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/kinds"
)

// Artifact is one binary of a build, compiled by this run or reused.
type Artifact struct {
	build.Artifact
	SHA256 string // hex
	Size   int64
	Reused bool // nothing that feeds it changed: the go command did not run
}

// LockPath is where the lock file of the config lives: beside it, named
// after it (plugconfig.yaml → plugconfig.lock; see lock.PathFor).
func (p *Project) LockPath() string {
	return filepath.Join(p.Config.Dir, filepath.Base(lock.PathFor(p.Config.File)))
}

// Inputs digests everything that feeds this project's artifacts besides the
// target (artifact.Inputs). It reads only the config, the files it names
// and the local sources: no go command, no network.
func (p *Project) Inputs() (artifact.Inputs, error) {
	if p.inputs != nil {
		return *p.inputs, nil
	}
	c := p.Config
	in := artifact.Inputs{
		Plugctl:   artifact.Tool(),
		Toolchain: p.Toolchain.Version,
		Config:    digest.Artifact(c),
		Tags:      c.Build.Tags,
		Ldflags:   c.Build.Ldflags,
		Sources:   map[string]string{},
	}
	if f, err := lock.Load(p.LockPath(), p.LockName()); err == nil {
		if in.Lock, err = f.ContentDigest(); err != nil {
			return in, err
		}
	}
	tmpl, err := p.template()
	if err != nil {
		return in, err
	}
	in.Template = sha256hex([]byte(codegen.MainTemplate(tmpl)))
	add := func(label, src string) error {
		if k, ok := kinds.Classify(src); !ok || !k.Rules().Live {
			return nil
		}
		h, err := p.TreeHash(p.abs(src))
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
	p.inputs = &in
	return in, nil
}

// pinned reports whether the config alone fixes every version of the build
// (what each kind fixes with no lookup — local sources, exact module
// versions — or a lock file), so that an artifact can be reused without
// resolving; and the core's version, for the {version} placeholder, when
// the config tells it.
func (p *Project) pinned() (coreVersion string, ok bool) {
	_, err := os.Stat(p.LockPath())
	locked := err == nil
	reqs := p.Config.Requests()
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
	return "", !strings.Contains(p.Config.Build.Output, "{version}")
}

// Reuse returns the artifacts of targets if every one of them is up to date,
// deciding from the config, the lock, the local sources and the records
// beside the artifacts alone: nothing is resolved, generated or compiled.
// It is the whole of a build that has nothing to do.
func (p *Project) Reuse(targets []platform.Target, override string) ([]Artifact, bool) {
	coreVersion, ok := p.pinned()
	if !ok {
		return nil, false
	}
	in, err := p.Inputs()
	if err != nil {
		return nil, false // the full pipeline reports it
	}
	if strings.Contains(override, "{version}") && coreVersion == "" {
		return nil, false
	}
	var out []Artifact
	for _, t := range targets {
		path := p.outputFor(override, t, coreVersion)
		rec, ok := artifact.Check(path, in.Digest(t.String()), p.statDir())
		if !ok {
			return nil, false
		}
		out = append(out, Artifact{Artifact: build.Artifact{Target: t, Path: path}, SHA256: rec.SHA256, Size: rec.Size, Reused: true})
	}
	for _, a := range out {
		p.R.Note("reused " + display(a.Path) + " (nothing changed)")
	}
	return out, true
}

// Build compiles the module in dir for every target whose artifact is not
// up to date (all of them with force), and writes each new artifact's
// sha256 file, SBOM and record. It returns the artifacts that exist after it
// — built or reused — in target order, and the failed targets' errors
// joined: a failing target hides none of the others.
func (p *Project) Build(ctx context.Context, dir string, targets []platform.Target, override string, force bool) ([]Artifact, error) {
	in, err := p.Inputs()
	if err != nil {
		return nil, err
	}
	gen, err := generated(dir)
	if err != nil {
		return nil, err
	}
	results := make(map[platform.Target]*Artifact, len(targets))
	var todo []platform.Target
	for _, t := range targets {
		path := p.Output(override, t)
		if !force {
			if rec, ok := artifact.Check(path, in.Digest(t.String()), p.statDir()); ok && maps.Equal(rec.Generated, gen) {
				results[t] = &Artifact{Artifact: build.Artifact{Target: t, Path: path}, SHA256: rec.SHA256, Size: rec.Size, Reused: true}
				p.R.Note("reused " + display(path) + " (nothing changed)")
				continue
			}
		}
		todo = append(todo, t)
	}
	if err := p.CheckOutputs(override, todo); err != nil {
		return nil, err
	}
	var cerr error
	if len(todo) > 0 {
		var built []build.Artifact
		built, cerr = p.Compile(ctx, dir, todo, override)
		for _, b := range built {
			a, err := p.finish(b, in, gen)
			if err != nil {
				return nil, err
			}
			results[b.Target] = a
		}
	}
	var out []Artifact
	for _, t := range targets {
		if a := results[t]; a != nil {
			out = append(out, *a)
		}
	}
	return out, cerr
}

// finish writes the files beside a freshly compiled artifact.
func (p *Project) finish(b build.Artifact, in artifact.Inputs, gen map[string]string) (*Artifact, error) {
	sum, size, err := artifact.Hash(b.Path)
	if err != nil {
		return nil, err
	}
	bi, err := buildinfo.ReadFile(b.Path)
	if err != nil {
		return nil, fmt.Errorf("reading the build information of %s: %w", b.Path, err)
	}
	doc, err := sbom.CycloneDX(sbom.Input{
		Name: p.Config.Name, Version: p.Set.Core.Version, Target: b.Target.String(),
		SHA256: sum, GoVersion: bi.GoVersion, Tool: artifact.Version(),
		Components: p.components(bi),
	})
	if err != nil {
		return nil, err
	}
	t := b.Target.String()
	rec := &artifact.Record{Schema: artifact.RecordSchema, Target: t, Digest: in.Digest(t), Inputs: in, Generated: gen, SHA256: sum, Size: size}
	if err := artifact.Write(b.Path, rec, doc, p.statDir()); err != nil {
		return nil, err
	}
	return &Artifact{Artifact: b, SHA256: sum, Size: size}, nil
}

// components lists the modules linked into a binary for its SBOM, marking
// the core and the plugs and saying where their code came from, as the
// resolver found it (the lock records the same).
func (p *Project) components(bi *buildinfo.BuildInfo) []sbom.Component {
	type known struct {
		role sbom.Role
		c    source.Component
	}
	by := map[string]known{p.Set.Core.Module: {sbom.RoleCore, p.Set.Core}}
	for _, c := range p.Set.Plugs {
		by[c.Module] = known{sbom.RolePlug, c}
	}
	replaced := map[string]string{} // module -> local directory of a replace
	for _, r := range p.Config.Replace {
		if r.Dir != "" {
			replaced[r.Path] = r.Dir
		}
	}
	var out []sbom.Component
	for _, d := range bi.Deps {
		c := sbom.Component{Role: sbom.RoleModule, Module: d.Path, Version: d.Version, Sum: d.Sum, Origin: source.Origin{Kind: source.Module}}
		if c.Sum == "" {
			c.Sum = p.vendorSums[d.Path+" "+d.Version] // -mod=vendor records no sums
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
				c.TreeHash = p.trees[k.c.Dir]
			}
		case replaced[d.Path] != "":
			dir := replaced[d.Path]
			c.Origin = source.Origin{Kind: source.Local, Path: dir}
			c.TreeHash = p.trees[p.abs(dir)]
		case d.Replace != nil && d.Replace.Version != "":
			c.Replace = d.Path + "@" + d.Version
			c.Version, c.Sum = d.Replace.Version, d.Replace.Sum
		}
		out = append(out, c)
	}
	return out
}

// statDir is where the artifacts' file identities are kept (artifact.Check).
func (p *Project) statDir() string {
	return p.State("artifacts")
}

// generated hashes the files of the build module in dir.
func generated(dir string) (map[string]string, error) {
	gen := map[string]string{}
	for _, name := range []string{"go.mod", "go.sum", "main.go"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if os.IsNotExist(err) && name == "go.sum" {
			continue
		}
		if err != nil {
			return nil, err
		}
		gen[name] = sha256hex(data)
	}
	return gen, nil
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
