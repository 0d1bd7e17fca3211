package profile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/templates"
)

// shippedDir is the directory of templates.Profiles holding the profiles;
// messages name a shipped profile's file by its path in the repository.
const shippedDir = "profiles"

var (
	shippedOnce sync.Once
	shipped     []*Spec
	shippedErr  error
)

// Shipped returns the profiles shipped with plugctl, sorted by name. An
// error is a fault of plugctl itself (a test reads every profile).
func Shipped() ([]*Spec, error) {
	shippedOnce.Do(func() { shipped, shippedErr = loadShipped(templates.Profiles) })
	return shipped, shippedErr
}

func loadShipped(fsys fs.FS) ([]*Spec, error) {
	ents, err := fs.ReadDir(fsys, shippedDir)
	if err != nil {
		return nil, err
	}
	var out []*Spec
	var errs []error
	owner := map[string]string{}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		dir := path.Join(shippedDir, e.Name())
		data, err := fs.ReadFile(fsys, path.Join(dir, FileName))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sub, err := fs.Sub(fsys, dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s, err := Parse(path.Join("templates", dir, FileName), e.Name(), data, sub)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.raw = data
		if len(s.Modules) == 0 {
			errs = append(errs, fmt.Errorf("templates/%s/%s: a shipped profile lists the modules it is chosen for", dir, FileName))
		}
		for _, m := range s.Modules {
			if o, ok := owner[m]; ok {
				errs = append(errs, fmt.Errorf("templates/%s/%s: module %s is already profile %s's", dir, FileName, m, o))
			}
			owner[m] = s.Name
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *Spec) int { return strings.Compare(a.Name, b.Name) })
	return out, errors.Join(errs...)
}

// Names returns the names of the shipped profiles, sorted: the names of
// their directories, read without parsing them (every command's help
// lists them; a test holds them to Shipped's).
func Names() []string {
	namesOnce.Do(func() {
		ents, _ := fs.ReadDir(templates.Profiles, shippedDir)
		for _, e := range ents {
			if e.IsDir() {
				names = append(names, e.Name())
			}
		}
	})
	return slices.Clone(names)
}

var (
	namesOnce sync.Once
	names     []string
)

// ByName returns the shipped profile called name, or nil.
func ByName(name string) *Spec {
	ps, _ := Shipped()
	for _, p := range ps {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// ForModule returns the shipped profile chosen for a core module path, or
// nil.
func ForModule(mod string) *Spec {
	ps, _ := Shipped()
	for _, p := range ps {
		if slices.Contains(p.Modules, mod) {
			return p
		}
	}
	return nil
}

// IsPath reports whether a core.profile value names a file rather than a
// shipped profile: it has the form of a local path (./f, ../f, /f).
func IsPath(v string) bool {
	return len(v) > 0 && (v[0] == '.' || v[0] == '/' || filepath.IsAbs(v))
}

// LoadFile reads a user's profile file at path (relative paths resolved
// against dir, the config's directory), its templates beside it. rel
// names it in messages.
func LoadFile(dir, rel string) (*Spec, error) {
	p := rel
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	data, err := files.ReadFile(p, 1<<20)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fail.Wrap(fail.Config, fmt.Errorf("core.profile: %s: no such file", rel))
		}
		return nil, fail.Wrap(fail.Config, fmt.Errorf("core.profile: %w", err))
	}
	s, err := Parse(rel, rel, data, os.DirFS(filepath.Dir(p)))
	if s != nil {
		s.raw = data
	}
	return s, err
}

// FileDigest returns the SHA-256 of a user's profile file and of the
// templates it lists (LoadFile's arguments), hex: what it makes of a
// binary, for the artifact's inputs.
func FileDigest(dir, rel string) (string, error) {
	s, err := LoadFile(dir, rel)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "profile %d\n%s\n", len(s.raw), s.raw)
	for _, t := range s.Templates {
		fmt.Fprintf(h, "template %s %d\n%s\n", t.Name, len(t.Text), t.Text)
	}
	for _, t := range s.Embed {
		fmt.Fprintf(h, "embed template %s %d\n%s\n", t.Name, len(t.Text), t.Text)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// problem is a diag problem of the core in file at pos.
func problem(file string, pos diag.Pos, format string, args ...any) *diag.Problem {
	return &diag.Problem{File: file, Pos: pos, Subject: diag.Core, Msg: fmt.Sprintf(format, args...)}
}
