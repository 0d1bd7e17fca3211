package ldflags

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name, item string
		want       []string
		err        string
	}{
		{"strip symbols", "-s", []string{"-s"}, ""},
		{"double dash", "--w", []string{"-w"}, ""},
		{"bool false", "-s=false", []string{"-s=false"}, ""},
		{"bool 0", "-compressdwarf=0", []string{"-compressdwarf=false"}, ""},
		{"X with a space", "-X main.version=1.0", []string{"-X", "main.version=1.0"}, ""},
		{"X with =", "-X=main.version=1.0", []string{"-X", "main.version=1.0"}, ""},
		{"X value with spaces", "-X pkg.example.com/a.Var=a b", []string{"-X", "pkg.example.com/a.Var=a b"}, ""},
		{"X in a module path", "-X example.com/m/v2/build.Version=v2.0.0", []string{"-X", "example.com/m/v2/build.Version=v2.0.0"}, ""},
		{"X empty value", "-X main.v=", []string{"-X", "main.v="}, ""},
		{"X spaces before the value", "-X   main.v=1", []string{"-X", "main.v=1"}, ""},
		{"X value with = and quotes", `-X main.v=a="b"`, []string{"-X", `main.v=a="b"`}, ""},
		{"buildid empty", "-buildid=", []string{"-buildid="}, ""},
		{"buildid", "-buildid abc/def", []string{"-buildid=abc/def"}, ""},
		{"B", "-B gobuildid", []string{"-B=gobuildid"}, ""},
		{"B hex", "-B=0xdeadbeef", []string{"-B=0xdeadbeef"}, ""},

		{"output", "-o /tmp/x", nil, "-o is not allowed: it writes the binary elsewhere (use build.output or -o) (allowed: " + Allowed + ")"},
		{"memprofile", "-memprofile=/tmp/m", nil, "-memprofile is not allowed: it writes a file outside the build"},
		{"cpuprofile", "--cpuprofile /tmp/c", nil, "-cpuprofile is not allowed: it writes a file outside the build"},
		{"linkmode", "-linkmode=external", nil, "-linkmode is not allowed: external linking runs another program"},
		{"extld", "-extld=sh", nil, "-extld is not allowed: it runs another program as the linker"},
		{"extldflags", "-extldflags=-static", nil, "-extldflags is not allowed: it passes flags to another program"},
		{"r", "-r /evil", nil, "-r is not allowed"},
		{"I", "-I /evil/ld.so", nil, "-I is not allowed"},
		{"tmpdir", "-tmpdir=/x", nil, "-tmpdir is not allowed"},
		{"dumpdep", "-dumpdep", nil, "-dumpdep is not allowed"},
		{"unknown", "-frobnicate", nil, `"-frobnicate" is not a linker flag plugctl passes (allowed: `},
		{"unknown with escape", "-\x1b[31m", nil, `"-\x1b[31m" is not a linker flag`},
		{"not a flag", "main.v=1", nil, `"main.v=1" is not a flag (valid: one flag with its value per item: `},
		{"dash only", "-", nil, `"-" is not a flag`},
		{"X alone", "-X", nil, `-X needs its value in the same item (valid: "-X importpath.name=value")`},
		{"X trailing space", "-X ", nil, `-X needs its value in the same item`},
		{"X without =", "-X main.v", nil, `-X "main.v": no '=' between the variable and its value`},
		{"X without package", "-X v=1", nil, `-X "v=1": the variable has no import path`},
		{"X bad package", "-X -evil.v=1", nil, `-X "-evil.v=1": invalid import path "-evil"`},
		{"X bad name", "-X main.1v=1", nil, `-X "main.1v=1": "1v" is not a Go identifier`},
		{"X both quotes and space", `-X main.v=it's "x" y`, nil, `the value of -X holds white space and both ' and ": the go command cannot pass that to the linker`},
		{"bool with a value after a space", "-s true", nil, "-s takes no value after a space (valid: -s or -s=false)"},
		{"bool bad value", "-w=maybe", nil, `-w="maybe": want true or false`},
		{"buildid bad", "-buildid=a b", nil, `-buildid "a b": a build ID is letters`},
		{"B bad", "-B 0xabc", nil, `-B "0xabc": not gobuildid, none or 0x and pairs of hex digits`},
		{"NUL", "-X main.v=a\x00b", nil, "contains a NUL character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Split(tt.item)
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("Split(%q) = %q, %v; want error starting %q", tt.item, got, err, tt.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("Split(%q) = %q, %v; want %q", tt.item, got, err, tt.want)
			}
		})
	}
}

// split is cmd/internal/quoted.Split, which cmd/go applies to the -ldflags
// value (Go 1.26): fields separated by white space, a field wrapped in ' or
// " taken as is, no escapes.
func split(s string) ([]string, error) {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	var f []string
	for len(s) > 0 {
		for len(s) > 0 && isSpace(s[0]) {
			s = s[1:]
		}
		if len(s) == 0 {
			break
		}
		if s[0] == '"' || s[0] == '\'' {
			quote := s[0]
			s = s[1:]
			i := 0
			for i < len(s) && s[i] != quote {
				i++
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated %c string", quote)
			}
			f = append(f, s[:i])
			s = s[i+1:]
			continue
		}
		i := 0
		for i < len(s) && !isSpace(s[i]) {
			i++
		}
		f = append(f, s[:i])
		s = s[i:]
	}
	return f, nil
}

func TestJoin(t *testing.T) {
	tests := []struct {
		name  string
		items []string
		want  string
	}{
		{"none", nil, ""},
		{"plain", []string{"-s", "-w", "-X main.v=1.0"}, "-s -w -X main.v=1.0"},
		{"a value with a space", []string{"-X main.v=1 2"}, "-X 'main.v=1 2'"},
		{"a quote without space", []string{"-X main.q=it's"}, "-X main.q=it's"},
		{"double quotes and space", []string{`-X main.d=say "hi" now`}, `-X 'main.d=say "hi" now'`},
		{"single quote and space", []string{`-X main.d=it's here`}, `-X "main.d=it's here"`},
		{"no-break space at the end", []string{"-X main.n=a\u00a0"}, "-X 'main.n=a\u00a0'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Join(tt.items)
			if err != nil || got != tt.want {
				t.Errorf("Join(%q) = %q, %v; want %q", tt.items, got, err, tt.want)
			}
		})
	}
	if _, err := Join([]string{"-s", "-o x"}); err == nil || !strings.HasPrefix(err.Error(), "build.ldflags[1]: -o is not allowed") {
		t.Errorf("Join with -o: %v", err)
	}
}

// FuzzJoin checks that every -X value Split accepts reaches the linker as
// the very argument given: Join's output split as cmd/go splits it gives
// back the arguments, and the whole value never starts with a quote (cmd/go
// would read it as a package pattern).
func FuzzJoin(f *testing.F) {
	for _, s := range []string{"1.0", "a b", `it's`, `"q"`, `back\slash`, "ünï cödé", "tab\there", "nl\nx", "  lead", "trail  ", `'`, `"`, "=", ""} {
		f.Add(s, "-s")
	}
	f.Fuzz(func(t *testing.T, value, other string) {
		items := []string{"-X main.v=" + value, other}
		var want []string
		for _, it := range items {
			a, err := Split(it)
			if err != nil {
				return
			}
			want = append(want, a...)
		}
		joined, err := Join(items)
		if err != nil {
			t.Fatalf("Split accepted %q but Join failed: %v", items, err)
		}
		if strings.TrimSpace(joined) == "" || strings.TrimSpace(joined)[0] != '-' {
			t.Fatalf("Join(%q) = %q does not start with a flag", items, joined)
		}
		got, err := split(strings.TrimSpace(joined))
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("Join(%q) = %q splits into %q (%v), want %q", items, joined, got, err, want)
		}
		if want[1] != "main.v="+value {
			t.Fatalf("the value of -X changed: %q", want[1])
		}
	})
}

func TestSplitGC(t *testing.T) {
	for _, tt := range []struct {
		item string
		want []string
		err  string
	}{
		{"-N", []string{"-N"}, ""},
		{"-l", []string{"-l"}, ""},
		{"-dwarf=false", []string{"-dwarf=false"}, ""},
		{"-spectre=index,ret", []string{"-spectre=index,ret"}, ""},
		{"-spectre=x", nil, `-spectre "x": not a list of all, index and ret`},
		{"-m", nil, "-m is not allowed: it prints to the build log, not into the binary (allowed: " + GcAllowed + ")"},
		{"-asmhdr=/etc/x", nil, "-asmhdr is not allowed: it writes a file (allowed: " + GcAllowed + ")"},
		{"-zz", nil, `"-zz" is not a compiler flag plugctl passes (allowed: ` + GcAllowed + ")"},
	} {
		got, err := SplitGC(tt.item)
		if tt.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("SplitGC(%q) error = %v, want %s", tt.item, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("SplitGC(%q) = %q, %v; want %q", tt.item, got, err, tt.want)
		}
	}
	if got, err := JoinGC([]string{"-N", "-l"}); err != nil || got != "-N -l" {
		t.Errorf("JoinGC = %q, %v", got, err)
	}
}
