// Package ldflags owns the rules for build.ldflags and build.gcflags:
// which linker and compiler flags a config may hand to `go build -ldflags`
// and `-gcflags`, and how each item reaches the tool byte for byte.
//
// # Items
//
// An item is one flag with its value, as docs/config.md documents it:
//
//	-s                      -w                        -compressdwarf=false
//	-X importpath.name=value   (or -X=importpath.name=value)
//	-buildid=ID             -B gobuildid|none|0xHEX
//
// A value flag's value follows its name after '=' or after white space; a
// boolean flag takes no value, or one after '=' (-s=false). Everything
// after the flag name belongs to the value: "-X main.v=a b" sets main.v to
// "a b".
//
// # Only flags that change the binary's contents
//
// A config is input that comes through pull requests and bundles; a linker
// flag is an instruction to a program that can write files anywhere (-o,
// -memprofile, -cpuprofile, -tmpdir, -capturehostobjs, -fipso), run another
// program (-linkmode=external with -extld, -extldflags, -extar) or make the
// binary load code from elsewhere at run time (-I, -r, -L, -linkshared).
// So the list is closed: a flag not in it is refused, with the reason when
// it is a known danger. The flags allowed, and why each is safe:
//
//   - -s and -w leave the symbol table and DWARF out of the binary: they only
//     remove bytes from the output.
//   - -X importpath.name=value sets a string variable's initial value: data
//     in the binary, nothing else.
//   - -buildid=ID records ID as the Go build ID (a note in the binary);
//     "-buildid=" is the common reproducibility idiom. The value is limited
//     to the characters build IDs use.
//   - -B sets the ELF NT_GNU_BUILD_ID note (or Mach-O UUID): gobuildid,
//     none or hex bytes, a few bytes of the output.
//   - -compressdwarf chooses whether DWARF sections are compressed: the
//     same information, other bytes.
//
// # Reaching the linker
//
// cmd/go splits the -ldflags value into arguments on white space, taking a
// field wrapped in single or double quotes as one argument, with no escapes
// inside (cmd/internal/quoted), and refuses a value that starts with a quote.
// Join puts each flag's name and its value in separate arguments, so the
// value always starts with '-', and quotes an argument holding white space
// with a quote character it does not contain. A value holding white space
// and both quote characters cannot be passed at all; Split refuses it.
package ldflags

import (
	"errors"
	"fmt"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/diag"
)

// rule is how one allowed flag takes its value.
type rule struct {
	bool  bool               // takes no value, or true/false after '='
	check func(string) error // the value of a value flag
	arg   bool               // the value goes in its own argument (else "-name=value")
}

// allowed are the flags a config may use, by name (see the package doc for
// why each is safe).
var allowed = map[string]rule{
	"s":             {bool: true},
	"w":             {bool: true},
	"compressdwarf": {bool: true},
	"X":             {check: checkX, arg: true},
	"buildid":       {check: checkBuildID},
	"B":             {check: checkNote},
}

// Allowed lists the allowed forms, for messages.
const Allowed = "-s, -w, -X importpath.name=value, -buildid=ID, -B gobuildid|none|0xHEX, -compressdwarf=false"

// refused are the linker flags known to reach outside the binary, with why.
var refused = map[string]string{
	"o":                "it writes the binary elsewhere (use build.output or -o)",
	"memprofile":       "it writes a file outside the build",
	"cpuprofile":       "it writes a file outside the build",
	"benchmarkprofile": "it writes files outside the build",
	"capturehostobjs":  "it writes files outside the build",
	"fipso":            "it writes a file outside the build",
	"tmpdir":           "it chooses where the linker writes",
	"importcfg":        "it makes the linker read another build's packages",
	"linkmode":         "external linking runs another program",
	"extld":            "it runs another program as the linker",
	"extldflags":       "it passes flags to another program",
	"extar":            "it runs another program",
	"libgcc":           "it links a library from outside the build",
	"I":                "it makes the binary load another dynamic linker",
	"r":                "it makes the binary search other directories for libraries",
	"L":                "it adds a library directory from outside the build",
	"linkshared":       "it links against libraries outside the build",
	"buildmode":        "plugctl builds executables",
	"race":             "the go command sets it",
	"msan":             "the go command sets it",
	"asan":             "the go command sets it",
	"dumpdep":          "it prints to the build log, not into the binary",
	"v":                "it prints to the build log, not into the binary",
	"c":                "it prints to the build log, not into the binary",
}

// Split checks one build.ldflags item and returns the linker arguments it
// stands for. Its errors say what is wrong in words for a config problem
// (the caller adds where).
func Split(item string) ([]string, error) {
	return splitFlag(item, allowed, refused, Allowed, "a linker flag")
}

// splitFlag checks one item against the allowed flags (whose forms allowedText
// lists) and the refused ones; what names the kind of flag in messages.
func splitFlag(item string, allowed map[string]rule, refused map[string]string, allowedText, what string) ([]string, error) {
	Allowed := allowedText
	if strings.ContainsRune(item, 0) {
		return nil, errors.New("contains a NUL character")
	}
	if !strings.HasPrefix(item, "-") {
		return nil, fmt.Errorf("%s is not a flag (valid: one flag with its value per item: %s)", diag.Quote(item), Allowed)
	}
	body := strings.TrimPrefix(strings.TrimPrefix(item, "-"), "-")
	end := strings.IndexAny(body, "= \t\n\r")
	name, sep, value := body, "", ""
	if end >= 0 {
		name, sep, value = body[:end], body[end:end+1], body[end+1:]
	}
	if name == "" {
		return nil, fmt.Errorf("%s is not a flag (valid: %s)", diag.Quote(item), Allowed)
	}
	r, ok := allowed[name]
	if !ok {
		if why, known := refused[name]; known {
			return nil, fmt.Errorf("-%s is not allowed: %s (allowed: %s)", name, why, Allowed)
		}
		return nil, fmt.Errorf("%s is not %s plugctl passes (allowed: %s)", diag.Quote("-"+name), what, Allowed)
	}
	if r.bool {
		switch sep {
		case "":
			return []string{"-" + name}, nil
		case "=":
			b, err := strconv.ParseBool(value)
			if err != nil {
				return nil, fmt.Errorf("-%s=%s: want true or false", name, diag.Quote(value))
			}
			return []string{"-" + name + "=" + strconv.FormatBool(b)}, nil
		}
		return nil, fmt.Errorf("-%s takes no value after a space (valid: -%s or -%s=false)", name, name, name)
	}
	if sep != "=" {
		value = strings.TrimLeft(value, " \t\n\r")
	}
	if sep == "" || (sep != "=" && value == "") {
		return nil, fmt.Errorf("-%s needs its value in the same item (valid: %s)", name, example(name))
	}
	if err := r.check(value); err != nil {
		return nil, fmt.Errorf("-%s %s: %w (valid: %s)", name, diag.Quote(value), err, example(name))
	}
	if hasSpace(value) && strings.Contains(value, "'") && strings.Contains(value, `"`) {
		return nil, fmt.Errorf("the value of -%s holds white space and both ' and \": the go command cannot pass that to the linker", name)
	}
	if r.arg {
		return []string{"-" + name, value}, nil
	}
	return []string{"-" + name + "=" + value}, nil
}

func example(name string) string {
	switch name {
	case "X":
		return `"-X importpath.name=value"`
	case "buildid":
		return `"-buildid=ID"`
	case "B":
		return `"-B gobuildid", "-B none" or "-B 0x" and hex digits`
	}
	return "-" + name
}

// checkX checks -X's importpath.name=value as the linker reads it: the name
// ends at the first '=', the import path at the last '.' before it.
func checkX(v string) error {
	eq := strings.Index(v, "=")
	if eq < 0 {
		return errors.New("no '=' between the variable and its value")
	}
	dot := strings.LastIndex(v[:eq], ".")
	if dot < 0 {
		return errors.New("the variable has no import path")
	}
	pkg, name := v[:dot], v[dot+1:eq]
	if pkg != "main" {
		if err := module.CheckImportPath(pkg); err != nil {
			return fmt.Errorf("invalid import path %s", diag.Quote(pkg))
		}
	}
	if !token.IsIdentifier(name) {
		return fmt.Errorf("%s is not a Go identifier", diag.Quote(name))
	}
	return nil
}

// hasSpace reports whether s holds white space: ASCII white space ends an
// unquoted field, and cmd/go trims Unicode white space (U+00A0, U+0085, \v,
// \f) off the ends of the whole -ldflags value, so an argument holding any
// of them is quoted.
func hasSpace(s string) bool { return strings.IndexFunc(s, unicode.IsSpace) >= 0 }

var buildIDRE = regexp.MustCompile(`^[A-Za-z0-9_./+=-]*$`)

func checkBuildID(v string) error {
	if !buildIDRE.MatchString(v) {
		return errors.New("a build ID is letters, digits and _ . / + = -")
	}
	return nil
}

var noteRE = regexp.MustCompile(`^0x([0-9a-fA-F]{2})+$`)

func checkNote(v string) error {
	if v != "gobuildid" && v != "none" && !noteRE.MatchString(v) {
		return errors.New("not gobuildid, none or 0x and pairs of hex digits")
	}
	return nil
}

// Join returns the -ldflags value for items: every item Split, each
// argument quoted for cmd/go's splitting rules. It fails on an item Split
// refuses.
func Join(items []string) (string, error) {
	return join(items, Split, "build.ldflags")
}

// join splits every item and quotes the arguments for cmd/go; key names
// the list in errors.
func join(items []string, split func(string) ([]string, error), key string) (string, error) {
	var args []string
	for i, it := range items {
		a, err := split(it)
		if err != nil {
			return "", fmt.Errorf("%s[%d]: %w", key, i, err)
		}
		args = append(args, a...)
	}
	q := make([]string, len(args))
	for i, a := range args {
		switch {
		case !hasSpace(a) && !strings.HasPrefix(a, "'") && !strings.HasPrefix(a, `"`):
			// Unquoted: a field ends at white space, and a quote inside it
			// does not count.
			q[i] = a
		case !strings.Contains(a, "'"):
			q[i] = "'" + a + "'"
		default:
			// Split refused values with both quote characters and white
			// space; a value without white space starts with a letter.
			q[i] = `"` + a + `"`
		}
	}
	return strings.Join(q, " "), nil
}

// # Compiler flags
//
// build.gcflags is the same kind of list for the compiler, passed to
// every package of the build (-gcflags=all=…), and closed the same way:
// only flags that change the code the compiler emits. Allowed:
//
//   - -N disables optimisation and -l inlining (what a debugger wants);
//   - -B disables bounds checking;
//   - -dwarf and -dwarflocationlists choose the debug information emitted;
//   - -spectre=LIST (all, index, ret) enables Spectre mitigations.
//
// Refused, with why: flags that write files (-o, -asmhdr, -cpuprofile,
// -memprofile, -trace, -linkobj, -d), read other packages or files
// (-importcfg, -embedcfg, -I, -D, -p, -pack), print to the build log
// rather than change the binary (-m, -S, -live, -json, -v, -W, -w), or
// that the go command sets itself (-trimpath, -race, -msan, -asan, -shared,
// -dynlink, -lang, -std, -complete, -buildid, -goversion, -c).

// gcAllowed are the compiler flags a config may use.
var gcAllowed = map[string]rule{
	"N":                  {bool: true},
	"l":                  {bool: true},
	"B":                  {bool: true},
	"dwarf":              {bool: true},
	"dwarflocationlists": {bool: true},
	"spectre":            {check: checkSpectre},
}

// GcAllowed lists the allowed compiler flags, for messages.
const GcAllowed = "-N, -l, -B, -dwarf=false, -dwarflocationlists=false, -spectre=all|index|ret"

// gcRefused are the compiler flags known to reach outside the binary, with
// why.
var gcRefused = map[string]string{
	"o": "it writes the object elsewhere", "asmhdr": "it writes a file", "cpuprofile": "it writes a file",
	"memprofile": "it writes a file", "trace": "it writes a file", "linkobj": "it writes a file",
	"d": "its debug settings can write files and change the compiler's behaviour", "importcfg": "it makes the compiler read other packages",
	"embedcfg": "it makes the compiler embed other files", "I": "it adds a directory from outside the build",
	"D": "it sets the import directory", "p": "the go command sets it", "pack": "the go command sets it",
	"m": "it prints to the build log, not into the binary", "S": "it prints to the build log, not into the binary",
	"live": "it prints to the build log, not into the binary", "json": "it writes a log",
	"v": "it prints to the build log, not into the binary", "W": "it prints to the build log, not into the binary",
	"w": "it prints to the build log, not into the binary", "trimpath": "the go command sets it (plugctl builds with -trimpath)",
	"race": "the go command sets it", "msan": "the go command sets it", "asan": "the go command sets it",
	"shared": "the go command sets it", "dynlink": "the go command sets it", "lang": "the go command sets it from go.mod",
	"std": "the go command sets it", "complete": "the go command sets it", "buildid": "the go command sets it",
	"goversion": "the go command sets it", "c": "it sets the compiler's concurrency, not the binary",
}

func checkSpectre(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s != "all" && s != "index" && s != "ret" {
			return errors.New("not a list of all, index and ret")
		}
	}
	return nil
}

// SplitGC checks one build.gcflags item and returns the compiler arguments
// it stands for, as Split does for the linker.
func SplitGC(item string) ([]string, error) {
	return splitFlag(item, gcAllowed, gcRefused, GcAllowed, "a compiler flag")
}

// JoinGC returns the -gcflags value for items (without the all= pattern),
// every item SplitGC'd and quoted for cmd/go as Join does.
func JoinGC(items []string) (string, error) {
	return join(items, SplitGC, "build.gcflags")
}

// Strips reports whether a build.ldflags item leaves symbols or debug
// information out of the binary (-s, -w, -compressdwarf aside), which a
// debug build keeps.
func Strips(item string) bool {
	a, err := Split(item)
	return err == nil && len(a) == 1 && (a[0] == "-s" || a[0] == "-w" || a[0] == "-s=true" || a[0] == "-w=true")
}
