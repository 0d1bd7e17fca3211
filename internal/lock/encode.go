package lock

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/plugctl/plugctl/internal/source"
)

// encode appends the canonical encoding of f, whose lists are sorted, to
// buf: what encoding/json writes for File with two-space indentation,
// HTML left unescaped and a final newline, byte for byte (a test holds the
// two equal on every lock of the test corpus), written directly since the
// lock is read and digested on every build: reflection and re-indenting
// cost more than the rest of a no-op build's reading of it.
func encode(buf []byte, f *File) []byte {
	w := &writer{buf: buf}
	w.open('{')
	w.key("lock_version")
	w.buf = strconv.AppendInt(w.buf, int64(f.LockVersion), 10)
	w.str("config_digest", f.ConfigDigest)
	w.str("go", f.Go)
	w.key("core")
	w.entry(&f.Core)
	w.key("plugins")
	if len(f.Plugins) == 0 {
		w.buf = append(w.buf, "[]"...)
	} else {
		w.open('[')
		for i := range f.Plugins {
			w.elem()
			w.entry(&f.Plugins[i])
		}
		w.close(']')
	}
	w.key("modules")
	if len(f.Modules) == 0 {
		w.buf = append(w.buf, "[]"...)
	} else {
		w.open('[')
		for i := range f.Modules {
			m := &f.Modules[i]
			w.elem()
			w.open('{')
			w.str("path", m.Path)
			w.str("version", m.Version)
			w.opt("hash", m.Hash)
			w.opt("go_mod_hash", m.GoModHash)
			w.opt("dir", m.Dir)
			w.opt("require", m.Require)
			w.close('}')
		}
		w.close(']')
	}
	if len(f.Order) > 0 {
		w.strings("order", f.Order)
	}
	w.close('}')
	return append(w.buf, '\n')
}

// encodedSize is about the length of f's encoding, for its buffer.
func encodedSize(f *File) int {
	return 1024 + 512*(len(f.Plugins)+1) + 256*len(f.Modules)
}

// writer writes indented JSON: first says that the next member of the
// object or array open at depth is its first.
type writer struct {
	buf   []byte
	depth int
	first bool
}

func (w *writer) newline() {
	w.buf = append(w.buf, '\n')
	for range w.depth {
		w.buf = append(w.buf, "  "...)
	}
}

func (w *writer) open(c byte) {
	w.buf = append(w.buf, c)
	w.depth++
	w.first = true
}

func (w *writer) close(c byte) {
	w.depth--
	w.newline()
	w.buf = append(w.buf, c)
	w.first = false
}

// elem starts a member: the comma after the one before, a new line.
func (w *writer) elem() {
	if !w.first {
		w.buf = append(w.buf, ',')
	}
	w.first = false
	w.newline()
}

func (w *writer) key(k string) {
	w.elem()
	w.buf = append(w.buf, '"')
	w.buf = append(w.buf, k...)
	w.buf = append(w.buf, `": `...)
}

func (w *writer) str(k, v string) {
	w.key(k)
	w.buf = appendString(w.buf, v)
}

// opt writes k unless v is empty (omitempty).
func (w *writer) opt(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *writer) strings(k string, list []string) {
	w.key(k)
	w.open('[')
	for _, s := range list {
		w.elem()
		w.buf = appendString(w.buf, s)
	}
	w.close(']')
}

func (w *writer) entry(e *Entry) {
	w.open('{')
	w.opt("name", e.Name)
	w.str("module", e.Module)
	w.opt("requested", e.Requested)
	w.opt("import", e.Import)
	w.str("version", e.Version)
	w.key("origin")
	w.origin(&e.Origin)
	w.opt("hash", e.Hash)
	if len(e.Replaces) > 0 {
		w.strings("replaces", e.Replaces)
	}
	if len(e.Hooks) > 0 {
		w.key("hooks")
		w.open('[')
		for _, h := range e.Hooks {
			w.elem()
			if len(h) == 0 {
				w.buf = append(w.buf, "[]"...)
				continue
			}
			w.open('[')
			for _, a := range h {
				w.elem()
				w.buf = appendString(w.buf, a)
			}
			w.close(']')
		}
		w.close(']')
	}
	w.close('}')
}

func (w *writer) origin(o *source.Origin) {
	w.open('{')
	w.str("kind", string(o.Kind))
	w.opt("url", o.URL)
	w.opt("commit", o.Commit)
	w.opt("ref", o.Ref)
	w.opt("sha256", o.SHA256)
	w.opt("path", o.Path)
	w.close('}')
}

// appendString appends s as a JSON string: as it is between quotes when
// it is printable ASCII with no quote or backslash (every string plugctl
// writes into a lock), as encoding/json escapes it otherwise.
func appendString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			enc.Encode(s) // a string always encodes
			return append(buf, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}
