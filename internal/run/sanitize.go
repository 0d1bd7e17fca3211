package run

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxStderr is how much of a subprocess's stderr is kept for its error.
// git prints whatever a server sends it ("remote: …", "remote error: …"),
// so a hostile server could otherwise fill plugctl's memory through it.
const MaxStderr = 64 << 10

// cappedBuffer keeps the first max bytes written to it and counts the rest.
type cappedBuffer struct {
	buf     []byte
	max     int
	dropped int64
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - len(b.buf); room > 0 {
		keep := min(room, len(p))
		b.buf = append(b.buf, p[:keep]...)
		b.dropped += int64(len(p) - keep)
	} else {
		b.dropped += int64(len(p))
	}
	return len(p), nil
}

// String returns what was kept, saying how much was left out.
func (b *cappedBuffer) String() string {
	s := string(b.buf)
	if b.dropped > 0 {
		s += fmt.Sprintf("\n… (%d more bytes)", b.dropped)
	}
	return s
}

// Sanitize makes text from a subprocess safe to show on a terminal: control
// characters other than newline and tab, the bidirectional overrides and
// isolates that make text read other than it is (U+202A–U+202E,
// U+2066–U+2069), and bytes that are not UTF-8 are written as Go escapes
// (\x1b, \u202e, \xff). A server's "remote error" passes through git to
// plugctl's error messages; it must not be able to retitle the terminal,
// clear the screen or hide the end of a line.
func Sanitize(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[:size])
		}
		s = s[size:]
	}
	return b.String()
}

// unsafeRune reports whether r must not reach a terminal as it is.
func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == utf8.RuneError:
		return true
	}
	return false
}
