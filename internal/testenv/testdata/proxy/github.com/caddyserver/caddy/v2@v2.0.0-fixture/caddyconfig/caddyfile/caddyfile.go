// Package caddyfile is a fixture of Caddy's Caddyfile adapter: the
// Dispenser a module's UnmarshalCaddyfile reads its tokens from, and the
// Unmarshaler interface, with their real names and shapes.
package caddyfile

// Dispenser hands out the tokens of a Caddyfile block.
type Dispenser struct {
	tokens []string
	cursor int
}

// Next moves to the next token, reporting whether there is one.
func (d *Dispenser) Next() bool {
	if d.cursor+1 < len(d.tokens) {
		d.cursor++
		return true
	}
	return false
}

// Val returns the current token.
func (d *Dispenser) Val() string {
	if d.cursor < 0 || d.cursor >= len(d.tokens) {
		return ""
	}
	return d.tokens[d.cursor]
}

// Unmarshaler is a module that can be set up from a Caddyfile block.
type Unmarshaler interface {
	UnmarshalCaddyfile(d *Dispenser) error
}
