package cli

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/platform"
)

// flagCase is one command line given to a command made with a runF that
// records the options it was given and validates them as the command's own
// run function does first.
type flagCase[O any] struct {
	name string
	args []string
	// want is the options the command line makes (its globals aside); nil
	// when the command line is refused.
	want *O
	// code is the exit code; stderr a part of what is printed.
	code   int
	stderr string
}

// testFlags runs each case through the real root (global flags, usage
// errors, exit codes) holding the one command newCmd makes.
func testFlags[O any](t *testing.T, newCmd func(*globals, func(context.Context, *O) error) *cobra.Command, validate func(*O) error, tests []flagCase[O]) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			g := &globals{ios: &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &stderr}}
			var got *O
			cmd := newCmd(g, func(_ context.Context, o *O) error {
				got = o
				if validate != nil {
					return validate(o)
				}
				return nil
			})
			if cmd.Name() == "plug" {
				cmd = newCmdNew(cmd)
			}
			code := execute(context.Background(), g, newRoot(g, []*cobra.Command{cmd}), tt.args)
			if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("plugctl %s: exit %d, stderr %q; want exit %d, stderr with %q", strings.Join(tt.args, " "), code, stderr.String(), tt.code, tt.stderr)
			}
			if tt.want == nil {
				return
			}
			if got == nil {
				t.Fatalf("plugctl %s: the command did not run", strings.Join(tt.args, " "))
			}
			// The options share the command tree's globals: give want the
			// same (an unexported embedded field, set through its address).
			f := reflect.ValueOf(tt.want).Elem().FieldByName("globals")
			reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(reflect.ValueOf(g))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("plugctl %s:\ngot  %+v\nwant %+v", strings.Join(tt.args, " "), *got, *tt.want)
			}
		})
	}
}

func TestBuildFlags(t *testing.T) {
	amd64, arm64 := platform.Target{OS: "linux", Arch: "amd64"}, platform.Target{OS: "darwin", Arch: "arm64"}
	testFlags(t, newCmdBuild, (*buildOptions).validate, []flagCase[buildOptions]{
		{name: "none", args: []string{"build"}, want: &buildOptions{}},
		{name: "targets and output", args: []string{"build", "--target", "linux/amd64", "--target=darwin/arm64", "-o", "out/{os}_{arch}"},
			want: &buildOptions{Targets: []string{"linux/amd64", "darwin/arm64"}, Output: "out/{os}_{arch}", targets: []platform.Target{amd64, arm64}}},
		{name: "long output", args: []string{"build", "--output", "bin/app"}, want: &buildOptions{Output: "bin/app"}},
		{name: "force locked offline", args: []string{"build", "--force", "--locked", "--offline"}, want: &buildOptions{Force: true, Locked: true, Offline: true}},
		{name: "bundle", args: []string{"build", "--bundle", "site.tar.gz"}, want: &buildOptions{Bundle: "site.tar.gz"}},
		{name: "store", args: []string{"build", "--store", "/mnt/store"}, want: &buildOptions{Store: "/mnt/store"}},
		{name: "file", args: []string{"-f", "other.yaml", "build"}, want: &buildOptions{fileSet: true}},
		{name: "bundle and file", args: []string{"build", "--bundle", "site.tar.gz", "-f", "other.yaml"}, code: 2,
			stderr: "--bundle and -f cannot be used together: the bundle holds its config"},
		{name: "unknown target", args: []string{"build", "--target", "plan10/amd64"}, code: 2, stderr: `--target: unknown target "plan10/amd64"`},
		{name: "argument", args: []string{"build", "extra"}, code: 2, stderr: `unknown command "extra" for "plugctl build"`},
		{name: "unknown flag", args: []string{"build", "--nosuch"}, code: 2, stderr: "unknown flag: --nosuch"},
	})
}

func TestPlanChecksumsFlags(t *testing.T) {
	amd64, arm64 := platform.Target{OS: "linux", Arch: "amd64"}, platform.Target{OS: "linux", Arch: "arm64"}
	testFlags(t, newCmdPlan, (*planOptions).validate, []flagCase[planOptions]{
		{name: "none", args: []string{"plan"}, want: &planOptions{Configs: []string{}}},
		{name: "configs and targets", args: []string{"plan", "a.yaml", "b.yaml", "--target", "linux/amd64", "--target=linux/arm64"},
			want: &planOptions{Configs: []string{"a.yaml", "b.yaml"}, Targets: []string{"linux/amd64", "linux/arm64"}, targets: []platform.Target{amd64, arm64}}},
		{name: "file", args: []string{"-f", "a.yaml", "plan"}, want: &planOptions{Configs: []string{}}},
		{name: "file and configs", args: []string{"-f", "a.yaml", "plan", "b.yaml"}, code: 2, stderr: "name the configs either with -f or as arguments, not both"},
		{name: "unknown target", args: []string{"plan", "--target", "plan10/amd64"}, code: 2, stderr: `--target: unknown target "plan10/amd64"`},
	})
	testFlags(t, newCmdChecksums, nil, []flagCase[checksumsOptions]{
		{name: "dir", args: []string{"checksums", "artifacts"}, want: &checksumsOptions{Dir: "artifacts"}},
		{name: "plan and output", args: []string{"checksums", "--plan", "plan.json", "-o", "SUMS", "artifacts"}, want: &checksumsOptions{Dir: "artifacts", Plan: "plan.json", Output: "SUMS"}},
		{name: "no dir", args: []string{"checksums"}, code: 2, stderr: "accepts 1 arg(s), received 0"},
	})
}

func TestLockFlags(t *testing.T) {
	testFlags(t, newCmdLock, nil, []flagCase[lockOptions]{
		{name: "none", args: []string{"lock"}, want: &lockOptions{Names: []string{}}},
		{name: "upgrade all", args: []string{"lock", "--upgrade"}, want: &lockOptions{Upgrade: true, Names: []string{}}},
		{name: "upgrade names", args: []string{"lock", "--upgrade", "metrics", "core"}, want: &lockOptions{Upgrade: true, Names: []string{"metrics", "core"}}},
		{name: "locked", args: []string{"lock", "--locked"}, want: &lockOptions{Locked: true, Names: []string{}}},
		{name: "names without upgrade", args: []string{"lock", "metrics"}, code: 2, stderr: "names (metrics) are only accepted with --upgrade"},
	})
}

func TestGenerateFlags(t *testing.T) {
	testFlags(t, newCmdWhy, nil, []flagCase[whyOptions]{
		{name: "module", args: []string{"why", "example.com/lib"}, want: &whyOptions{Module: "example.com/lib"}},
		{name: "no module", args: []string{"why"}, code: 2, stderr: `accepts 1 arg(s), received 0`},
	})
	testFlags(t, newCmdGenerate, nil, []flagCase[generateOptions]{
		{name: "none", args: []string{"generate"}, want: &generateOptions{}},
		{name: "output locked", args: []string{"generate", "-o", "gen", "--locked"}, want: &generateOptions{Dir: "gen", Locked: true}},
		{name: "argument", args: []string{"generate", "gen"}, code: 2, stderr: `unknown command "gen"`},
	})
}

func TestFewFlags(t *testing.T) {
	testFlags(t, newCmdVendor, nil, []flagCase[vendorOptions]{
		{name: "vendor", args: []string{"vendor", "--locked"}, want: &vendorOptions{Locked: true}},
		{name: "vendor argument", args: []string{"vendor", "dir"}, code: 2, stderr: `unknown command "dir"`},
	})
	testFlags(t, newCmdBundle, nil, []flagCase[bundleOptions]{
		{name: "bundle", args: []string{"bundle", "-o", "site.tar.gz"}, want: &bundleOptions{Output: "site.tar.gz"}},
		{name: "bundle default", args: []string{"bundle"}, want: &bundleOptions{}},
	})
	testFlags(t, newCmdSchema, nil, []flagCase[schemaOptions]{
		{name: "schema", args: []string{"schema"}, want: &schemaOptions{}},
		{name: "schema argument", args: []string{"schema", "x"}, code: 2, stderr: `unknown command "x"`},
	})
	testFlags(t, newCmdOutdated, nil, []flagCase[outdatedOptions]{
		{name: "outdated", args: []string{"outdated"}, want: &outdatedOptions{}},
		{name: "outdated argument", args: []string{"outdated", "metrics"}, code: 2, stderr: `unknown command "metrics"`},
	})
}

func TestRunFlags(t *testing.T) {
	testFlags(t, newCmdRun, nil, []flagCase[runOptions]{
		{name: "program args", args: []string{"run", "--force", "--", "greet", "--loud"}, want: &runOptions{Force: true, Args: []string{"greet", "--loud"}}},
		// Flags after the first argument belong to the program.
		{name: "not interspersed", args: []string{"run", "greet", "--force"}, want: &runOptions{Args: []string{"greet", "--force"}}},
		{name: "no args", args: []string{"run"}, want: &runOptions{Args: []string{}}},
		{name: "watch", args: []string{"run", "-w", "--", "serve"}, want: &runOptions{Watch: true, Args: []string{"serve"}}},
	})
}

func TestAddRemoveFlags(t *testing.T) {
	testFlags(t, newCmdAdd, (*addOptions).validate, []flagCase[addOptions]{
		{name: "module", args: []string{"add", "github.com/acme/metrics@^0.3"}, want: &addOptions{Plug: "github.com/acme/metrics@^0.3",
			plug: starterPlug{Name: "metrics", Module: "github.com/acme/metrics", Version: "^0.3"}}},
		{name: "named", args: []string{"add", "./plugins/audit", "--name", "audit2"}, want: &addOptions{Plug: "./plugins/audit", Name: "audit2",
			plug: starterPlug{Name: "audit2", Source: "./plugins/audit"}}},
		{name: "bad name", args: []string{"add", "./a", "--name", "Bad"}, code: 2, stderr: `--name: invalid plug name "Bad"`},
		{name: "core", args: []string{"add", "core=./a"}, code: 2, stderr: `plug name "core" is reserved`},
		{name: "no plug", args: []string{"add"}, code: 2, stderr: "accepts 1 arg(s), received 0"},
		{name: "archive without checksum", args: []string{"add", "https://example.com/a.zip"}, code: 2, stderr: "an archive source needs --checksum"},
	})
	testFlags(t, newCmdRemove, nil, []flagCase[removeOptions]{
		{name: "name", args: []string{"remove", "audit"}, want: &removeOptions{Name: "audit"}},
		{name: "two", args: []string{"remove", "a", "b"}, code: 2, stderr: "accepts 1 arg(s), received 2"},
	})
	testFlags(t, newCmdClean, nil, []flagCase[cleanOptions]{
		{name: "flags", args: []string{"clean", "--dist", "--vendor", "-n"}, want: &cleanOptions{Dist: true, Vendor: true, DryRun: true}},
	})
	testFlags(t, newCmdDoctor, nil, []flagCase[doctorOptions]{
		{name: "none", args: []string{"doctor"}, want: &doctorOptions{}},
	})
}

func TestInspectValidateFlags(t *testing.T) {
	testFlags(t, newCmdInspect, nil, []flagCase[inspectOptions]{
		{name: "binary", args: []string{"inspect", "dist/hello"}, want: &inspectOptions{Binary: "dist/hello"}},
		{name: "no binary", args: []string{"inspect"}, code: 2, stderr: "accepts 1 arg(s), received 0"},
		{name: "two binaries", args: []string{"inspect", "a", "b"}, code: 2, stderr: "accepts 1 arg(s), received 2"},
	})
	testFlags(t, newCmdValidate, nil, []flagCase[validateOptions]{
		{name: "validate", args: []string{"validate"}, want: &validateOptions{}},
		{name: "validate argument", args: []string{"validate", "x.yaml"}, code: 2, stderr: `unknown command "x.yaml"`},
	})
}

func TestInitFlags(t *testing.T) {
	testFlags(t, newCmdInit, (*initOptions).validate, []flagCase[initOptions]{
		{name: "everything", args: []string{"init", "--name", "caddy", "--core-module", "github.com/caddyserver/caddy/v2", "--core-version", "^2.8",
			"--core-main", "github.com/caddyserver/caddy/v2/cmd", "--core-entry", "Main", "--core-import", "a.com/x", "--core-import", "b.com/y",
			"--with", "github.com/caddy-dns/cloudflare@^0.2", "--with", "geo=git::https://git.example.com/geoip.git@v2.1.0",
			"--replace", "github.com/plugctl/plugctl/plug=../plug", "--target", "linux/amd64", "--force"},
			want: &initOptions{Name: "caddy", CoreModule: "github.com/caddyserver/caddy/v2", CoreVersion: "^2.8",
				CoreMain: "github.com/caddyserver/caddy/v2/cmd", CoreEntry: "Main", CoreImports: []string{"a.com/x", "b.com/y"},
				With:    []string{"github.com/caddy-dns/cloudflare@^0.2", "geo=git::https://git.example.com/geoip.git@v2.1.0"},
				Replace: []string{"github.com/plugctl/plugctl/plug=../plug"}, Targets: []string{"linux/amd64"}, Force: true,
				plugs: []starterPlug{{Name: "cloudflare", Module: "github.com/caddy-dns/cloudflare", Version: "^0.2"},
					{Name: "geo", Source: "git::https://git.example.com/geoip.git", Version: "v2.1.0"}},
				replace: map[string]string{"github.com/plugctl/plugctl/plug": "../plug"},
				targets: []platform.Target{{OS: "linux", Arch: "amd64"}}}},
		{name: "source core", args: []string{"init", "--core-source", "./core"}, want: &initOptions{CoreSource: "./core", replace: map[string]string{}}},
		{name: "bad with", args: []string{"init", "--core-module", "example.com/core", "--with", "not a plug"}, code: 2, stderr: "--with not a plug: want MODULE[@VERSION], ./DIR or git::URL"},
		{name: "bad replace", args: []string{"init", "--core-module", "example.com/core", "--replace", "example.com/x"}, code: 2, stderr: "--replace example.com/x: want PATH=VERSION or PATH=./DIR"},
		{name: "bad target", args: []string{"init", "--core-module", "example.com/core", "--target", "linux"}, code: 2, stderr: "--target: "},
	})
}

func TestNewPlugFlags(t *testing.T) {
	testFlags(t, newCmdNewPlug, (*newPlugOptions).validate, []flagCase[newPlugOptions]{
		{name: "everything", args: []string{"new", "plug", "audit", "--module", "example.com/acme/audit", "--dir", "plugs/audit", "--sdk-replace", "../plug", "--sdk-version", "v0.2.0"},
			want: &newPlugOptions{Name: "audit", Module: "example.com/acme/audit", Dir: "plugs/audit", SDKReplace: "../plug", SDKVersion: "v0.2.0"}},
		{name: "no name", args: []string{"new", "plug", "--module", "example.com/x"}, code: 2, stderr: "accepts 1 arg(s), received 0"},
		{name: "two names", args: []string{"new", "plug", "a", "b"}, code: 2, stderr: "accepts 1 arg(s), received 2"},
		{name: "bad name", args: []string{"new", "plug", "Audit", "--module", "example.com/x"}, code: 2, stderr: `invalid plug name "Audit"`},
		{name: "reserved name", args: []string{"new", "plug", "core", "--module", "example.com/x"}, code: 2, stderr: `plug name "core" is reserved`},
		{name: "no module", args: []string{"new", "plug", "audit"}, code: 2, stderr: "new plug needs --module"},
		{name: "bad module", args: []string{"new", "plug", "audit", "--module", "not a path"}, code: 2, stderr: "--module: "},
		{name: "bad sdk version", args: []string{"new", "plug", "audit", "--module", "example.com/x", "--sdk-version", "1.0"}, code: 2, stderr: "--sdk-version: "},
	})
}

func TestGlobalFlags(t *testing.T) {
	var g *globals
	testFlags(t, func(gl *globals, runF func(context.Context, *versionOptions) error) *cobra.Command {
		g = gl
		return newCmdVersion(gl, runF)
	}, nil, []flagCase[versionOptions]{
		{name: "defaults", args: []string{"version"}, want: &versionOptions{}},
		{name: "quiet and verbose", args: []string{"-q", "-v", "version"}, code: 2, stderr: "if any flags in the group [quiet verbose] are set none of the others can be"},
	})
	for _, tt := range []struct {
		args []string
		want globals
	}{
		{[]string{"version"}, globals{file: "plugconfig.yaml"}},
		{[]string{"-f", "x.yaml", "--json", "-v", "version"}, globals{file: "x.yaml", json: true, verbose: true}},
		{[]string{"version", "--file=y.yaml", "-q"}, globals{file: "y.yaml", quiet: true}},
	} {
		testFlags(t, func(gl *globals, runF func(context.Context, *versionOptions) error) *cobra.Command {
			g = gl
			return newCmdVersion(gl, runF)
		}, nil, []flagCase[versionOptions]{{name: strings.Join(tt.args, " "), args: tt.args, want: &versionOptions{}}})
		if g.file != tt.want.file || g.json != tt.want.json || g.quiet != tt.want.quiet || g.verbose != tt.want.verbose {
			t.Errorf("plugctl %s: file %q json %v quiet %v verbose %v; want %+v", strings.Join(tt.args, " "), g.file, g.json, g.quiet, g.verbose, tt.want)
		}
	}
}
