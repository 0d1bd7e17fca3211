package lock

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/source/kinds"
	"github.com/plugctl/plugctl/internal/versions"
)

// The fields each object of the lock may have, by where it appears.
var fields = map[string][]string{
	"":        {"lock_version", "config_digest", "go", "core", "plugins", "modules", "order"},
	"entry":   {"name", "module", "requested", "import", "version", "origin", "hash", "replaces", "hooks"},
	"origin":  {"kind", "url", "commit", "ref", "sha256", "path"},
	"modules": {"path", "version", "hash", "go_mod_hash", "dir", "require"},
}

// child says what kind of object the value of key holds inside an object
// of kind parent ("" for none).
func child(parent, key string) string {
	switch {
	case parent == "" && (key == "core" || key == "plugins"):
		return "entry"
	case parent == "" && key == "modules":
		return "modules"
	case parent == "entry" && key == "origin":
		return "origin"
	}
	return "-"
}

// Parse reads a lock file; file names it in errors. Every problem found is
// reported, as a diag.List: a problem of the JSON (syntax, an unknown or
// duplicate field, a value of the wrong type) at its line and column, one of
// a value at no position, its message starting with the field's path, like
// plugins[1] ("metrics").hash.
//
// A lock as plugctl writes it (Marshal's bytes) is read in one pass: when
// what it decodes to encodes back to the very bytes of the file, the file
// has no unknown, misspelt or duplicate field and no trailing data, so the
// token walk that positions such problems is left out, and the digest of
// its content (ContentDigest) comes from those bytes. Any other file gets
// the walk: every problem at its position, as ever.
func Parse(file string, data []byte) (*File, error) {
	return parse(file, data, true)
}

// parse is Parse; without fast, every file gets the token walk (tests
// hold the two ways to the same results).
func parse(file string, data []byte, fast bool) (*File, error) {
	var f File
	canonical, decErr := decodeCanonical(data, &f)
	canonical = canonical && fast
	if !canonical {
		if errs := checkShape(file, data); len(errs) > 0 {
			return nil, errs
		}
		if decErr != nil {
			return nil, decodeProblem(file, data, decErr)
		}
	}
	changed := false
	for _, e := range append([]*Entry{&f.Core}, entries(f.Plugins)...) {
		if k := canonicalKind(e.Origin.Kind); k != e.Origin.Kind {
			e.Origin.Kind, changed = k, true
		}
	}
	if errs := f.check(file); len(errs) > 0 {
		return nil, errs
	}
	if f.dropContentHashes() {
		changed = true
	}
	if canonical && !changed {
		f.digest = digestOfCanonical(data, f.Go)
	}
	if f.digest == "" {
		f.digest = f.contentDigest()
	}
	return &f, nil
}

// decodeCanonical decodes the lock data into f, unknown fields refused,
// and reports whether data is exactly what Marshal writes for it.
func decodeCanonical(data []byte, f *File) (bool, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(f); err != nil {
		return false, err
	}
	if !slices.IsSortedFunc(f.Plugins, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) }) || !slices.IsSortedFunc(f.Modules, compareModules) {
		return false, nil // check says so; Marshal would sort them
	}
	c := *f
	if c.Plugins == nil {
		c.Plugins = []Entry{}
	}
	if c.Modules == nil {
		c.Modules = []Module{}
	}
	return bytes.Equal(encode(make([]byte, 0, len(data)), &c), data), nil
}

// goLine is how Marshal writes the toolchain: the third line of the file.
const goLine = "\n  \"go\": "

// digestOfCanonical is ContentDigest of the lock whose canonical bytes
// are data and toolchain goVersion: the digest of those bytes with the
// toolchain written empty. The toolchain is the only member at the top
// level Marshal writes as goLine ("go" in any other object is indented
// deeper, and no string holds a raw newline), and a valid one (check)
// needs no escaping.
func digestOfCanonical(data []byte, goVersion string) string {
	at := bytes.Index(data, []byte(goLine+`"`+goVersion+`"`))
	if at < 0 {
		return "" // not canonical after all: the caller encodes
	}
	h := sha256.New()
	h.Write(data[:at])
	h.Write([]byte(goLine + `""`))
	h.Write(data[at+len(goLine)+len(goVersion)+2:])
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// decodeProblem is the problem of a lock whose JSON is well-formed but
// does not decode (a value of the wrong type), at its position.
func decodeProblem(file string, data []byte, err error) diag.List {
	e := &diag.Problem{File: file, Msg: err.Error()}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		e.Pos = position(data, valueStart(data, te.Offset))
		e.Msg = fmt.Sprintf("want a JSON %s, got %s", te.Type, te.Value)
		if te.Field != "" {
			e.Msg = te.Field + ": " + e.Msg
		}
	}
	return diag.List{e}
}

// dropContentHashes reads a lock written when local directories were
// locked by their content too: the hash of a live source (a local plug or
// core) and of a module the replace map builds from a directory is not
// part of what the lock pins, so it is left out, and the digest of the
// lock as it was written kept for vendor trees made with it
// (ContentDigests). It reports whether it dropped any.
func (f *File) dropContentHashes() bool {
	old := *f
	old.Plugins = slices.Clone(f.Plugins)
	old.Modules = slices.Clone(f.Modules)
	dropped := false
	for _, e := range append([]*Entry{&f.Core}, entries(f.Plugins)...) {
		if e.Hash != "" && live(e.Origin.Kind) {
			e.Hash, dropped = "", true
		}
	}
	for i := range f.Modules {
		if m := &f.Modules[i]; m.Dir != "" && m.Hash != "" {
			m.Hash, dropped = "", true
		}
	}
	if dropped {
		f.asWritten = old.contentDigest()
	}
	return dropped
}

// live reports whether the content of a component of kind k is not
// pinned by the lock: a local directory is locked by its path.
func live(k source.Kind) bool {
	s, ok := kinds.Lookup(k)
	return ok && s.Rules().Live
}

// checkShape walks the JSON tokens of data, reporting syntax errors,
// unknown and duplicate keys, and trailing data, each at its position.
func checkShape(file string, data []byte) diag.List {
	var errs diag.List
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	at := func(off int64, format string, args ...any) {
		errs = append(errs, &diag.Problem{File: file, Pos: position(data, off), Msg: fmt.Sprintf(format, args...)})
	}
	var walk func(kind string) bool
	walk = func(kind string) bool {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			at(start, "invalid JSON: %v", syntaxMsg(err))
			return false
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return true
		}
		switch d {
		case '[':
			for dec.More() {
				if !walk(kind) {
					return false
				}
			}
		case '{':
			seen := map[string]bool{}
			for dec.More() {
				off := dec.InputOffset()
				kt, err := dec.Token()
				if err != nil {
					at(off, "invalid JSON: %v", syntaxMsg(err))
					return false
				}
				key, _ := kt.(string)
				koff := keyOffset(data, off)
				switch {
				case kind == "-":
				case seen[key]:
					at(koff, "duplicate field %q", key)
				case !contains(fields[kind], key):
					at(koff, "unknown field %q (valid: %s)", key, strings.Join(fields[kind], ", "))
				}
				seen[key] = true
				if !walk(child(kind, key)) {
					return false
				}
			}
		}
		off := dec.InputOffset()
		if _, err := dec.Token(); err != nil {
			at(off, "invalid JSON: %v", syntaxMsg(err))
			return false
		}
		return true
	}
	if walk("") {
		off := keyOffset(data, dec.InputOffset())
		if _, err := dec.Token(); err != io.EOF {
			at(off, "unexpected data after the lock's JSON object")
		}
	}
	return errs
}

// valueStart returns where the JSON value ending at off begins: the
// decoder reports type errors at the end of the value.
func valueStart(data []byte, off int64) int64 {
	off = min(max(off, 0), int64(len(data)))
	if off == 0 {
		return 0
	}
	switch c := data[off-1]; {
	case c == '{' || c == '[':
		return off - 1
	case c == '"':
		for i := off - 2; i >= 0; i-- {
			if data[i] != '"' {
				continue
			}
			n := 0 // backslashes before the quote
			for j := i - 1; j >= 0 && data[j] == '\\'; j-- {
				n++
			}
			if n%2 == 0 {
				return i
			}
		}
		return 0
	}
	i := off
	for i > 0 && strings.IndexByte("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+-", data[i-1]) >= 0 {
		i--
	}
	return i
}

// keyOffset skips the separators before a key, so its position is that of
// its opening quote.
func keyOffset(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
		off++
	}
	return off
}

func syntaxMsg(err error) string {
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of file"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int64) diag.Pos {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return diag.Pos{Line: line, Col: col}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var (
	digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	goRE     = regexp.MustCompile(`^go[0-9]+(\.[0-9]+)*([a-z]+[0-9]+)?$`)
)

// check validates the values of a decoded lock. Its problems are at no
// position: each message starts with the path of the field concerned.
func (f *File) check(file string) diag.List {
	var errs diag.List
	add := func(where, format string, args ...any) {
		errs = append(errs, &diag.Problem{File: file, Msg: where + ": " + fmt.Sprintf(format, args...)})
	}
	if f.LockVersion < MinVersion || f.LockVersion > Version {
		add("lock_version", "unsupported lock format %d (this plugctl reads %s)", f.LockVersion, readable())
	}
	if !digestRE.MatchString(f.ConfigDigest) {
		add("config_digest", "invalid digest %q (want sha256:<64 lowercase hex digits>)", f.ConfigDigest)
	}
	if !goRE.MatchString(f.Go) {
		add("go", "invalid toolchain version %q (want one like go1.26.8)", f.Go)
	}
	f.Core.check("core", true, add)
	for i, e := range f.Plugins {
		where := fmt.Sprintf("plugins[%d]", i)
		if e.Name != "" {
			where += fmt.Sprintf(" (%q)", e.Name)
		}
		e.check(where, false, add)
		if i > 0 && f.Plugins[i-1].Name >= e.Name {
			add(where, "plugins must be sorted by name, without duplicates (after %q)", f.Plugins[i-1].Name)
		}
	}
	seen := map[string]bool{}
	for i, n := range f.Order {
		if n == "" || seen[n] {
			add(fmt.Sprintf("order[%d]", i), "the order names each plugin once, none empty (got %q)", n)
		}
		seen[n] = true
	}
	for i, m := range f.Modules {
		// where names the module in a problem; written only for one, as
		// a lock of a large graph has thousands of modules.
		where := func(field string) string {
			w := fmt.Sprintf("modules[%d]", i)
			if m.Path != "" {
				w += fmt.Sprintf(" (%s@%s)", m.Path, m.Version)
			}
			return w + field
		}
		if err := module.Check(m.Path, m.Version); err != nil {
			add(where(""), "invalid module version: %v", err)
		}
		switch {
		case m.Dir != "" && m.GoModHash != "":
			add(where(""), "a module built from a directory has no go_mod_hash")
		case m.Dir == "" && m.Hash == "" && m.GoModHash == "":
			add(where(""), "needs a hash or a go_mod_hash")
		}
		if !validHash(m.Hash, true) {
			checkHash(where(".hash"), m.Hash, true, add)
		}
		if !validHash(m.GoModHash, true) {
			checkHash(where(".go_mod_hash"), m.GoModHash, true, add)
		}
		switch m.Require {
		case "":
		case RequireNone, RequireDirect, RequireIndirect:
			if f.LockVersion < 2 {
				add(where(".require"), "require is lock format 2, but lock_version is %d", f.LockVersion)
			}
			if m.Dir != "" {
				add(where(".require"), "a module built from a directory is required by the rule")
			}
		default:
			add(where(".require"), "invalid value %q (valid: %s, %s, %s)", m.Require, RequireNone, RequireDirect, RequireIndirect)
		}
		if i > 0 && compareModules(f.Modules[i-1], m) >= 0 {
			add(where(""), "modules must be sorted by path and version, without duplicates")
		}
	}
	return errs
}

func (e Entry) check(where string, core bool, add func(string, string, ...any)) {
	switch {
	case core && e.Name != "":
		add(where+".name", "the core has no name")
	case !core && !source.ValidName(e.Name):
		add(where+".name", "invalid plug name %q (valid: %s)", e.Name, source.NamePattern)
	case !core && e.Name == "core":
		add(where+".name", "plug name \"core\" is reserved for the core")
	}
	if err := module.CheckPath(e.Module); err != nil {
		add(where+".module", "invalid module path %q: %v", e.Module, err)
	} else if !semver.IsValid(e.Version) {
		add(where+".version", "invalid version %q for module %s", e.Version, e.Module)
	}
	if e.Import != "" {
		if err := module.CheckImportPath(e.Import); err != nil {
			add(where+".import", "invalid import path %q: %v", e.Import, err)
		}
	}
	o := e.Origin
	if k, ok := kinds.Lookup(o.Kind); !ok {
		add(where+".origin.kind", "invalid origin kind %q (valid: %s)", o.Kind, kindNames())
	} else {
		for _, p := range k.CheckLocked(e.Module, e.Version, o) {
			add(where+"."+p.Field, "%s", p.Msg)
		}
	}
	if o.Commit != "" && !versions.IsCommit(o.Commit) {
		add(where+".origin.commit", "invalid commit %q (want a full hexadecimal commit hash)", o.Commit)
	}
	if o.Ref != "" && o.Ref != "HEAD" && !strings.HasPrefix(o.Ref, "refs/") {
		add(where+".origin.ref", "invalid ref %q (want refs/tags/…, refs/heads/… or HEAD)", o.Ref)
	}
	switch {
	case core && len(e.Hooks) > 0:
		add(where+".hooks", "the core runs no build-time hooks")
	default:
		for i, h := range e.Hooks {
			if len(h) == 0 || h[0] == "" {
				add(fmt.Sprintf("%s.hooks[%d]", where, i), "a hook is a program and its arguments, the program not empty")
			}
		}
	}
	// A local directory is locked by its path: its hash, which locks
	// written before held, is optional.
	checkHash(where+".hash", e.Hash, live(o.Kind), add)
}

// checkHash checks an h1: hash as go.sum writes it: "h1:" and the base64 of
// a SHA-256.
func checkHash(where, h string, optional bool, add func(string, string, ...any)) {
	if !validHash(h, optional) {
		add(where, "invalid hash %q (want h1:<base64 of a SHA-256>, as in go.sum)", h)
	}
}

// validHash reports whether h is an h1: hash as go.sum writes it, or
// empty when optional.
func validHash(h string, optional bool) bool {
	if h == "" && optional {
		return true
	}
	b64, ok := strings.CutPrefix(h, "h1:")
	if !ok || len(b64) != 44 { // the base64 of 32 bytes, padded
		return false
	}
	var raw [33]byte
	n, err := base64.StdEncoding.Strict().Decode(raw[:], []byte(b64))
	return err == nil && n == 32
}

// readable lists the lock formats this package reads, for messages: "1",
// "1 and 2", "1 to 3".
func readable() string {
	switch {
	case MinVersion == Version:
		return fmt.Sprint(Version)
	case MinVersion+1 == Version:
		return fmt.Sprintf("%d and %d", MinVersion, Version)
	}
	return fmt.Sprintf("%d to %d", MinVersion, Version)
}

// canonicalKind returns the kind k names, its old spelling ("proxy")
// included; anything else as it is, for check to report.
func canonicalKind(k source.Kind) source.Kind {
	if c, ok := source.ParseKind(string(k)); ok {
		return c
	}
	return k
}

// kindNames lists the kinds plugctl knows, for messages.
func kindNames() string {
	var names []string
	for _, k := range kinds.All() {
		names = append(names, string(k.Kind()))
	}
	return strings.Join(names, ", ")
}
