package git

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeGit puts a git on PATH that logs its argv (fields separated by 0x1f,
// one invocation per line, GIT_TERMINAL_PROMPT and GIT_ALLOW_PROTOCOL
// first) and then runs the real git. It returns a function reading the log.
func fakeGit(t *testing.T) func() [][]string {
	t.Helper()
	real, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "argv.log")
	script := "#!/bin/sh\n" +
		"{ printf '%s\\037%s\\037' \"$GIT_TERMINAL_PROMPT\" \"$GIT_ALLOW_PROTOCOL\"; for a in \"$@\"; do printf '%s\\037' \"$a\"; done; printf '\\n'; } >> '" + log + "'\n" +
		"exec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return func() [][]string {
		data, err := os.ReadFile(log)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		var calls [][]string
		for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			calls = append(calls, strings.Split(strings.TrimSuffix(line, "\x1f"), "\x1f"))
		}
		return calls
	}
}

// TestGitArgv proves, from the argv of every git plugctl runs, that the
// repository URL and the commits only ever follow "--" or
// "--end-of-options", that prompts are off and the transports limited; and
// that hostile sources and versions are refused before any git runs.
func TestGitArgv(t *testing.T) {
	f := newFixture(t) // made before the fake git is on PATH
	calls := fakeGit(t)
	ctx := context.Background()
	if _, err := Refs(ctx, nil, f.URL()); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"", "^1.0", "dev", f.c0[:9]} {
		if _, err := resolveGit(ctx, f.URL(), v); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := FetchTree(ctx, nil, f.URL()+"//plugins/metrics", f.c3, filepath.Join(t.TempDir(), "m"), false); err != nil {
		t.Fatal(err)
	}
	commits := []string{f.c0, f.c1, f.c2, f.c3, f.c4}
	log := calls()
	if len(log) < 8 {
		t.Fatalf("only %d git invocations logged", len(log))
	}
	subcommands := map[string]bool{}
	for _, call := range log {
		prompt, protocols, argv := call[0], call[1], call[2:]
		if prompt != "0" || protocols != "file:https:ssh" {
			t.Errorf("git %q ran with GIT_TERMINAL_PROMPT=%q GIT_ALLOW_PROTOCOL=%q", argv, prompt, protocols)
		}
		if !slices.Contains(argv, "protocol.ext.allow=never") || !slices.Contains(argv, "protocol.fd.allow=never") {
			t.Errorf("git %q ran without disabling ext:: and fd::", argv)
		}
		end := len(argv)
		for i, a := range argv {
			if a == "--" || a == "--end-of-options" {
				end = i
				break
			}
		}
		for i, a := range argv {
			user := strings.Contains(a, f.bare) && !strings.HasPrefix(a, "--git-dir=")
			for _, c := range commits {
				user = user || strings.HasPrefix(a, c[:7])
			}
			if user && i < end {
				t.Errorf("git %q: user value %q comes before -- or --end-of-options", argv, a)
			}
		}
		for _, a := range argv {
			if !strings.HasPrefix(a, "-") && a != "protocol.ext.allow=never" && a != "protocol.fd.allow=never" && a != "core.fsmonitor=false" {
				subcommands[a] = true
				break
			}
		}
	}
	for _, sub := range []string{"ls-remote", "init", "fetch", "rev-parse", "cat-file", "log", "archive"} {
		if !subcommands[sub] {
			t.Errorf("no git %s was logged; the test no longer covers it", sub)
		}
	}

	// Injection attempts: each is refused with no git run at all.
	canary := filepath.Join(t.TempDir(), "canary")
	inject := "--upload-pack=touch " + canary
	before := len(calls())
	attempts := []struct {
		name string
		run  func() error
	}{
		{"version", func() error { _, err := resolveGit(ctx, f.URL(), inject); return err }},
		{"commit", func() error { _, err := FetchTree(ctx, nil, f.URL(), inject, t.TempDir(), false); return err }},
		{"url", func() error { _, err := Refs(ctx, nil, "git::"+inject); return err }},
		{"ssh host", func() error {
			_, err := Refs(ctx, nil, "git::ssh://-oProxyCommand=touch%20"+canary+"/repo")
			return err
		}},
		{"ext transport", func() error { _, err := Refs(ctx, nil, "git::ext::sh -c touch% "+canary); return err }},
		{"fd transport", func() error { _, err := Refs(ctx, nil, "git::fd::17"); return err }},
		{"forced ext", func() error { _, err := Refs(ctx, nil, "ext::sh -c touch% "+canary); return err }},
		{"subdir escape", func() error { _, err := FetchTree(ctx, nil, f.URL()+"//../..", f.c3, t.TempDir(), false); return err }},
		{"query", func() error { _, err := Refs(ctx, nil, f.URL()+"?sshkey=x"); return err }},
	}
	for _, a := range attempts {
		if err := a.run(); err == nil {
			t.Errorf("%s: no error", a.name)
		}
	}
	if after := len(calls()); after != before {
		t.Errorf("hostile inputs ran git %d times", after-before)
	}
	if _, err := os.Stat(canary); !os.IsNotExist(err) {
		t.Fatalf("canary file created: injection succeeded")
	}

	// Were validation bypassed, git itself refuses ext::, even when the
	// environment's configuration allows it.
	t.Setenv("GIT_CONFIG_COUNT", "1")
	t.Setenv("GIT_CONFIG_KEY_0", "protocol.ext.allow")
	t.Setenv("GIT_CONFIG_VALUE_0", "always")
	dir := t.TempDir()
	if _, err := (client{}).git(ctx, dir, "ls-remote", "--", "ext::sh -c touch% "+canary); err == nil {
		t.Error("git ls-remote of an ext:: URL succeeded")
	}
	if _, err := os.Stat(canary); !os.IsNotExist(err) {
		t.Fatalf("canary file created through ext::")
	}
}
