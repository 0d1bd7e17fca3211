// Package pipeline runs plugctl's commands as lists of named steps over one
// project: load, use-lock, reuse, resolve, fetch, check, generate,
// save-lock, compile, record; verify, vendor, bundle and outdated for the
// commands that need them (see ARCHITECTURE.md).
//
// A State is the data of one run: what the command asks (Options) and what
// each step found, every field saying which step fills it. A Step is a
// value: its name, the unit it counts in and the function that does its
// work on the State. Run executes a list of steps in order through one
// runner, which reports each step's start, counts, end and duration to the
// report.Reporter, and stops at the first failure. Each command's list is
// declared once in this package (BuildSteps, LockSteps, …); the CLI parses
// flags, picks a list, runs it and prints what the State holds.
package pipeline

import (
	"path/filepath"
	"strings"
	"sync"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/build"
	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/gotool"
	"github.com/plugctl/plugctl/internal/manifest"
	"github.com/plugctl/plugctl/internal/modhash"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/policy"
	"github.com/plugctl/plugctl/internal/profile"
	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/signing"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/store"
	"github.com/plugctl/plugctl/internal/vendortree"
)

// StateDir is the directory, beside the config, where plugctl keeps its work.
const StateDir = ".plugctl"

// Options are what a command asks of its run, set before it.
type Options struct {
	// File is the config as the user named it (-f, or found by the CLI).
	File string
	// Bundle is the bundle build --bundle builds from (the unpack step).
	Bundle string
	// Lock says how the lock is treated (--locked, --upgrade).
	Lock LockOptions
	// Targets override build.targets (--target).
	Targets []platform.Target
	// Host builds for the go toolchain's own platform (plugctl run): to
	// build.output when build.targets holds the host, else beside the
	// state (.plugctl/run/NAME), never over what build.output names.
	Host bool
	// Output overrides build.output (-o of build); it may hold the same
	// placeholders.
	Output string
	// Force rebuilds every artifact even when nothing that feeds it
	// changed.
	Force bool
	// GenDir is where generate writes the build module (-o of generate);
	// default .plugctl/gen.
	GenDir string
	// BundleOut is the bundle plugctl bundle writes (-o of bundle);
	// default NAME-bundle.tar.gz.
	BundleOut string
	// Sign are the keys vendor and bundle sign the tree with, and build
	// each artifact's provenance (--sign).
	Sign []*signing.Key
	// VerifyKeys, when set, are the keys one of which must have signed
	// the vendor tree verify checks (--verify-key).
	VerifyKeys *signing.Keys
	// Tree is a vendor tree plugctl verify checks on its own, with no
	// config (verify DIR).
	Tree string
	// Store is the artifact store build copies artifacts from and puts
	// them into (--store, PLUGCTL_STORE): a directory, created if need
	// be. Empty for none.
	Store string
	// Why is the module plugctl why asks about; a strict config's raises
	// are warnings in its run, since why is how one looks into them.
	Why string
	// VulnDB is a directory holding a vulnerability database, which
	// vendor copies into the tree (--vulndb) for an offline audit.
	VulnDB string
	// Audit is what plugctl audit asks.
	Audit AuditOptions
	// Policy is a site's policy file (--policy, PLUGCTL_POLICY): every
	// config is held to it beside its own policy; "" for none.
	Policy string
}

// State is one run of a command over one project: its Options, and what
// each step found. Fields are filled by the steps named beside them, in
// the order of the command's list; a step reads only what the steps
// before it in every list holding it fill.
type State struct {
	// Opts are the command's, set by New.
	Opts Options
	// discarding counts the directories of replaced binaries being
	// removed (discard).
	discarding sync.WaitGroup
	// reads are the compiled binaries being hashed (startRead).
	reads   map[string]*binaryRead
	readsMu sync.Mutex
	// R receives the steps' progress.
	R report.Reporter

	// unpack: the bundle unpacked into a temporary directory (removed by
	// Close) and its config's bytes, which load reads.
	bundleDir  string
	bundleData []byte

	// load: the config; the site's policy (Opts.Policy), which load (or
	// audit, of a binary alone) reads.
	Site      *policy.Policy
	Config    *config.Config
	Toolchain gotool.Toolchain
	// Limits bound every git and archive fetch (source.LimitsFromEnv);
	// none for a bundle, which builds offline.
	Limits source.Limits

	// outputs: the targets to build and the -o override that applies
	// (plugctl run's, or the default for several targets).
	Targets []platform.Target
	Output  string
	// BundlePath is the bundle plugctl bundle writes (the bundle's outputs).
	BundlePath string

	// use-lock: the lock as read and the components it pins; generate
	// adds the build graph.
	lock *lockState

	// resolve: what the config asks (core first) and one pin each, and
	// what the kinds share while resolving and fetching them.
	requests []source.Request
	pins     []resolvedPin
	env      *source.Env

	// fetch (or verify, from the vendor manifest): the core and plugs.
	Set *Set

	// check: each plug's settings with its manifest's defaults filled in
	// (an SDK core only); the core's manifest; how the core is built, its
	// profile applied and its plugs wired.
	settings     map[string]map[string]any
	coreManifest *manifest.Manifest
	Profile      *profile.Build
	// hookCmds are the build-time hooks of each plug whose manifest
	// declares some and whose config allows them, by plug name, which
	// the hooks step runs (then the plug's Set entry is the tree they
	// left: source.Component.Hooks).
	hookCmds map[string][]manifest.Command

	// generate: the build module's directory; the modules the core
	// requires that the plugs raised (raises.go).
	GenDir string
	Raises []Raise
	// inherited are the plugs' replace directives the build applies
	// (replaces: inherit), decided as the build module is written.
	inherited []inherited

	// save-lock: what it wrote, or would have.
	Saved *LockResult

	// reuse, compile and record: the artifacts, by target; compile leaves
	// what it built for record, with the hashes of the build module, and
	// the failures of the targets it could not build.
	artifacts     map[platform.Target]*Artifact
	built         []build.Artifact
	generated     map[string]string
	failedTargets error

	// verify: the verified vendor tree, where it is and the lock it must
	// have been made with (unpack sets both for a bundle's tree); the
	// core and plugs (Set) from its manifest. Offline builds from it with
	// the network off;
	// vendorSums are its go.sum ("path version" -> h1:), for the SBOM: a
	// binary built with -mod=vendor records no module sums.
	Tree       *VerifiedTree
	TreeDir    string
	treeLock   string
	Offline    bool
	vendorSums map[string]string

	// snapshot: the private copy of the verified tree compile builds from.
	buildDir string

	// vendor
	Vendored *VendorResult

	// bundle
	Bundled *BundleResult

	// outdated
	Available []Available

	// plan: one job per target.
	Jobs []Job

	// why
	Why *Why

	// audit; compile, when a policy has every build audited: each
	// target's, before its artifact is written.
	Audit  *AuditResult
	audits map[platform.Target]*TargetAudit

	// Any step: the Sums of every directory this run hashed (local
	// sources, fetched trees, replace directories), each read once; trees
	// are the content hashes treeHash reported, by directory, for the
	// SBOM; inputs, once computed, what feeds the artifacts.
	hashes *modhash.Cache
	trees  map[string]string
	inputs *artifact.Inputs
	// embedFiles are the files of build.embed, read once (embedded).
	embedFiles []codegen.File
	// store is Opts.Store, opened on first use.
	store *store.Store
	// graphs are the module graphs read this run, by build module
	// directory (moduleGraph).
	graphs map[string]graph

	// cleanups run at Close, last first.
	cleanups []func()
	// done is set by a step after which nothing is left to do (reuse).
	done bool
	// step is the step running, whose progress the work reports.
	step *Step
	// fetch (of the commands that generate): the background download of
	// the build graph (download.go); nil when none was started.
	graphDL *graphDownload
}

// New returns the state of a run of a command asking o, reporting to r.
func New(r report.Reporter, o Options) *State {
	if r == nil {
		r = report.Discard
	}
	return &State{Opts: o, R: r}
}

// Close gives back what the run holds: the project lock, the unpacked
// bundle, temporary directories. It is safe to call more than once.
func (s *State) Close() {
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
	s.cleanups = nil
}

// onClose has Close run fn.
func (s *State) onClose(fn func()) { s.cleanups = append(s.cleanups, fn) }

// statePath returns the path of name inside the project's state directory.
func (s *State) statePath(name string) string {
	return filepath.Join(s.Config.Dir, StateDir, name)
}

// Artifacts returns the artifacts of the run, built or reused, in target
// order; on a failure, those that exist.
func (s *State) Artifacts() []Artifact {
	var out []Artifact
	for _, t := range s.Targets {
		if a := s.artifacts[t]; a != nil {
			out = append(out, *a)
		}
	}
	return out
}

// owners maps each module of the build to the plug (or core) it belongs to.
func (s *State) owners() map[string]string {
	o := map[string]string{s.Set.Core.Module: source.CoreName}
	for _, c := range s.Set.Plugs {
		o[c.Module] = c.Name
	}
	return o
}

// sourceDirs maps the directories of the core and plugs built from one to
// their names, for naming the culprit of a compile error that names a
// file by its path (build.Options.Sources): the source directories, links
// resolved, or offline the tree's copies (local/NAME).
func (s *State) sourceDirs() map[string]string {
	o := map[string]string{}
	if s.Offline && s.Tree != nil {
		m := s.Tree.Manifest
		for _, c := range append([]vendortree.Component{m.Core}, m.Plugs...) {
			if c.Dir != "" {
				o[c.Dir] = c.Name
			}
		}
		return o
	}
	for _, c := range s.Set.All() {
		if c.Dir != "" {
			o[filepath.ToSlash(resolved(c.Dir))] = c.Name
		}
	}
	return o
}

// output returns the artifact path for target t: the -o override or the
// config's build.output, placeholders expanded, relative to the config.
func (s *State) output(t platform.Target) string {
	return s.outputFor(t, s.Set.Core.Version)
}

// outputFor is output for a given core version, usable before resolve.
func (s *State) outputFor(t platform.Target, version string) string {
	override := s.Output
	out := s.Config.Build.Output
	if override != "" {
		out = override
	}
	if s.Config.Version != "" {
		// The distribution's own version, when the config gives one.
		version = s.Config.Version
	}
	out = strings.NewReplacer("{name}", s.Config.Name, "{os}", t.OS, "{arch}", t.ArchName(), "{version}", version).Replace(out)
	if t.OS == "windows" && !strings.HasSuffix(out, ".exe") {
		out += ".exe"
	}
	if !filepath.IsAbs(out) && override == "" {
		out = filepath.Join(s.Config.Dir, out)
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return out
	}
	return abs
}

// abs resolves a path from the config against the config's directory.
func (s *State) abs(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(s.Config.Dir, path)
}
