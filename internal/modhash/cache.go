package modhash

import (
	"path/filepath"
	"sync"
)

// Cache keeps the Sums of each directory one run hashes, so that a tree is
// read once however many steps ask for its hashes. It is safe for
// concurrent use; the zero Cache keeps no root file but go.mod, and a nil
// *Cache keeps nothing (every Dir walks).
type Cache struct {
	keep []string
	mu   sync.Mutex
	dirs map[string]*cached // by directory, links resolved
}

type cached struct {
	once sync.Once
	s    *Sums
	err  error
}

// NewCache returns a Cache whose Sums keep the root files named by keep
// (see Dir).
func NewCache(keep ...string) *Cache {
	return &Cache{keep: keep}
}

// Keep returns the names of the root files the Cache's Sums keep.
func (c *Cache) Keep() []string {
	if c == nil {
		return nil
	}
	return c.keep
}

// key names dir in the cache: its absolute path with links resolved, or
// "" when it has none (Dir then reports why).
func key(dir string) string {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return ""
	}
	abs, err := filepath.Abs(real)
	if err != nil {
		return ""
	}
	return abs
}

// Dir returns the Sums of dir, walking it the first time it is asked for.
func (c *Cache) Dir(dir string) (*Sums, error) {
	k := key(dir)
	if c == nil || k == "" {
		return Dir(dir, c.Keep()...)
	}
	c.mu.Lock()
	if c.dirs == nil {
		c.dirs = map[string]*cached{}
	}
	e := c.dirs[k]
	if e == nil {
		e = &cached{}
		c.dirs[k] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.s, e.err = Dir(dir, c.keep...) })
	return e.s, e.err
}

// Lookup returns the Sums of dir if the cache holds them, without reading
// anything.
func (c *Cache) Lookup(dir string) (*Sums, bool) {
	k := key(dir)
	if c == nil || k == "" {
		return nil, false
	}
	c.mu.Lock()
	e := c.dirs[k]
	c.mu.Unlock()
	if e == nil {
		return nil, false
	}
	e.once.Do(func() {}) // wait for a walk under way
	return e.s, e.s != nil
}

// Put records s as the Sums of its directory (Sums.Dir), replacing what
// the cache held: the tree there was written again, and s was made from
// it.
func (c *Cache) Put(s *Sums) {
	k := key(s.Dir())
	if c == nil || k == "" {
		return
	}
	e := &cached{s: s}
	e.once.Do(func() {})
	c.mu.Lock()
	if c.dirs == nil {
		c.dirs = map[string]*cached{}
	}
	c.dirs[k] = e
	c.mu.Unlock()
}
