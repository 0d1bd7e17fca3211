package cli_test

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/plugctl/plugctl/internal/testenv"
)

// The docs tests hold README.md, the other pages at the root (CONTRIBUTING.md,
// SECURITY.md, …) and docs/*.md to what a reader meets:
//
//   - TestDocs runs every command block (```sh, or any block with a "$ "
//     line) as a reader following the page would, or finds it marked;
//   - TestDocsLinks resolves every relative link, anchors included;
//   - TestDocsReadmeShort keeps the README a front page.
//
// A command block is run unless the line before it is an HTML comment:
//
//	<!-- not run: REASON -->   skipped, for a reason the page says too
//	                           (needs the network, zsh, a CI system, root)
//	<!-- PATH -->              the file PATH of the repository, byte for
//	                           byte (TestDocsShowTheFiles in
//	                           internal/profile); a test builds or parses it
//	<!-- in the clone -->      run, in the clone rather than wherever the
//	                           page's previous blocks left the reader
//
// The runnable blocks of one page run in order in one bash session (set -e,
// pipefail), so a cd or a variable of one block holds in the next, starting
// in a copy of the repository — what a reader has after cloning it — with
// plugctl of this tree on PATH, an empty HOME and module cache, and the
// network unplugged: GOPROXY is the test proxy, then the developer's module
// cache (for plugctl's own dependencies, which a go install of the clone
// needs).

// docBlock is one fenced block of a page.
type docBlock struct {
	page   string // relative to the repository, slash-separated
	line   int    // of the opening fence, 1-based
	lang   string // the fence's info string
	marker string // the HTML comment on the line before, without <!-- -->
	text   string
}

var fence = regexp.MustCompile("^( *)```([A-Za-z0-9_-]*)\\s*$")

// docPages lists the Markdown pages readers are pointed at: every *.md of
// the repository's root and of docs/.
func docPages(t *testing.T, root string) []string {
	t.Helper()
	var pages []string
	for _, glob := range []string{"*.md", "docs/*.md"} {
		m, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(glob)))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m {
			rel, _ := filepath.Rel(root, p)
			pages = append(pages, filepath.ToSlash(rel))
		}
	}
	if len(pages) < 10 {
		t.Fatalf("found only %d pages: %v", len(pages), pages)
	}
	return pages
}

// parseBlocks returns the fenced blocks of a page.
func parseBlocks(t *testing.T, root, page string) []docBlock {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(page)))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var blocks []docBlock
	for i := 0; i < len(lines); i++ {
		m := fence.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		b := docBlock{page: page, line: i + 1, lang: m[2]}
		if i > 0 {
			if c := strings.TrimSpace(lines[i-1]); strings.HasPrefix(c, "<!--") && strings.HasSuffix(c, "-->") {
				b.marker = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(c, "<!--"), "-->"))
			}
		}
		indent := m[1]
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, strings.TrimPrefix(lines[i], indent))
		}
		if i == len(lines) {
			t.Errorf("%s:%d: the block is never closed", page, b.line)
		}
		b.text = strings.Join(body, "\n") + "\n"
		blocks = append(blocks, b)
	}
	return blocks
}

// isCommand says whether a block is a command block: ```sh, or any block
// showing a command at a "$ " prompt.
func (b docBlock) isCommand() bool {
	if b.lang == "sh" {
		return true
	}
	for _, l := range strings.Split(b.text, "\n") {
		if strings.HasPrefix(l, "$ ") {
			return true
		}
	}
	return false
}

// includes says whether the block's marker names a file of the repository.
func (b docBlock) includes() bool {
	return b.marker != "" && !strings.Contains(b.marker, " ") && strings.Contains(b.marker, "/")
}

// TestDocs runs the command blocks of every page (see the top of this file).
func TestDocs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the docs' commands")
	}
	root := testenv.RepoRoot(t)
	scripts := t.TempDir()
	for _, page := range docPages(t, root) {
		var sh strings.Builder
		sh.WriteString("set -eo pipefail\n")
		run := 0
		for _, b := range parseBlocks(t, root, page) {
			switch {
			case b.lang == "bash" || b.lang == "shell" || b.lang == "console":
				t.Errorf("%s:%d: write a command block as ```sh, so that this test finds it", page, b.line)
			case !b.isCommand():
			case strings.HasPrefix(b.marker, "not run:"):
				if strings.TrimSpace(strings.TrimPrefix(b.marker, "not run:")) == "" {
					t.Errorf("%s:%d: say why the block is not run", page, b.line)
				}
			case b.includes():
				if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(b.marker))); err != nil {
					t.Errorf("%s:%d: the block shows %s: %v", page, b.line, b.marker, err)
				}
			case b.marker == "" || b.marker == "in the clone":
				if b.lang != "sh" {
					t.Errorf("%s:%d: a block of commands and their output cannot be run: mark it <!-- not run: REASON --> or make it ```sh", page, b.line)
					continue
				}
				run++
				fmt.Fprintf(&sh, "\necho '>>> %s:%d' >&2\n", page, b.line)
				if b.marker == "in the clone" {
					sh.WriteString("cd \"$CLONE\"\n")
				}
				sh.WriteString(b.text)
			default:
				t.Errorf("%s:%d: unknown marker <!-- %s --> (not run: REASON, a file's path, or in the clone)", page, b.line, b.marker)
			}
		}
		if run == 0 {
			continue
		}
		name := strings.NewReplacer("/", "_", ".md", "").Replace(page)
		script := fmt.Sprintf(`# The command blocks of %[1]s, in order, as a reader runs them.
docsclone
env GOPROXY=$TESTPROXY,$MODCACHEPROXY
cd $CLONE
exec bash $WORK/page.sh
-- page.sh --
%[2]s`, page, sh.String())
		if err := os.WriteFile(filepath.Join(scripts, name+".txtar"), []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if t.Failed() {
		return
	}
	runScriptDir(t, scripts)
}

// cmdDocsClone copies the repository to $WORK/plugctl, as a reader's clone
// of it, and sets CLONE to it. What a clone would not have is left out:
// .git, and what builds leave in the tree.
func cmdDocsClone(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: docsclone")
	}
	src := ts.Getenv("REPO")
	dst := ts.MkAbs("plugctl")
	skip := map[string]bool{".git": true, "bin": true, "dist": true, ".plugctl": true, "man": true}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() && (skip[rel] || strings.HasSuffix(rel, string(filepath.Separator)+".plugctl") || strings.HasSuffix(rel, string(filepath.Separator)+"dist")) {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case info.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, info.Mode().Perm())
		}
		return nil
	})
	ts.Check(err)
	ts.Setenv("CLONE", dst)
}

// modCacheProxy returns the developer's module cache as a file:// GOPROXY
// (its cache/download directory has the proxy's layout), for the docs'
// go install of plugctl with the network unplugged.
func modCacheProxy(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	return testenv.FileURL(filepath.Join(strings.TrimSpace(string(out)), "cache", "download"))
}

// link is a Markdown link or image: [text](target).
var link = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)\)`)

// TestDocsLinks: every relative link of a page names a file of the
// repository, and its #anchor a heading of that page.
func TestDocsLinks(t *testing.T) {
	root := testenv.RepoRoot(t)
	anchors := map[string]map[string]bool{}
	headings := func(page string) map[string]bool {
		if a, ok := anchors[page]; ok {
			return a
		}
		a := map[string]bool{}
		f, err := os.Open(filepath.Join(root, filepath.FromSlash(page)))
		if err != nil {
			return nil
		}
		defer f.Close()
		in := false
		s := bufio.NewScanner(f)
		for s.Scan() {
			l := s.Text()
			if fence.MatchString(l) {
				in = !in
			}
			if !in && strings.HasPrefix(l, "#") {
				a[slug(strings.TrimLeft(l, "#"))] = true
			}
		}
		anchors[page] = a
		return a
	}
	n := 0
	for _, page := range docPages(t, root) {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(page)))
		if err != nil {
			t.Fatal(err)
		}
		// Links inside code are code.
		text := regexp.MustCompile("(?s)```.*?```|`[^`\n]*`").ReplaceAllString(string(data), "")
		for _, m := range link.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			n++
			file, anchor, _ := strings.Cut(target, "#")
			dest := page
			if file != "" {
				dest = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(page), file)))
				if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(dest))); err != nil {
					t.Errorf("%s: link %s: no such file %s", page, target, dest)
					continue
				}
			}
			if anchor != "" && strings.HasSuffix(dest, ".md") && !headings(dest)[anchor] {
				t.Errorf("%s: link %s: %s has no heading #%s", page, target, dest, anchor)
			}
		}
	}
	if n < 20 {
		t.Errorf("found only %d relative links", n)
	}
}

// slug is the anchor GitHub gives a heading: lower case, punctuation but
// hyphens and underscores dropped, spaces made hyphens.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestDocsReadmeShort: the README is a front page — what plugctl is, how to
// install it, a quick start, the contributors' set-up and links — and the
// rest lives in docs/.
func TestDocsReadmeShort(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n > 200 {
		t.Errorf("README.md has %d lines, want at most 200: move the detail to a page of docs/ and link it", n)
	}
}
