package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/module"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/entry"
	"github.com/plugctl/plugctl/internal/profile"
	"github.com/plugctl/plugctl/internal/source"
	"github.com/plugctl/plugctl/internal/suggest"
	"github.com/plugctl/plugctl/internal/yamlsrc"
)

// The checks below are Parse's rules for single values, for those who
// make a config from answers and flags (plugctl init and add) and must
// refuse a wrong value when it is given rather than once the file is whole.
// Each returns what is wrong, in the words Parse would use, or nil.

// CheckName checks the config's name.
func CheckName(name string) error {
	if source.ValidName(name) {
		return nil
	}
	return errors.New(invalidName("name", name))
}

// CheckPlugName checks a plug's name.
func CheckPlugName(name string) error {
	switch {
	case !source.ValidName(name):
		return errors.New(invalidName("plug name", name))
	case name == "core":
		return errors.New(reservedCore)
	}
	return nil
}

// invalidName is the problem of a name (what: "name", "plug name") that
// does not match source.NamePattern.
func invalidName(what, name string) string {
	return fmt.Sprintf("invalid %s %s (valid: %s: a lowercase letter, then up to 62 lowercase letters, digits, '-' or '_')", what, diag.Quote(name), source.NamePattern)
}

const reservedCore = "plug name \"core\" is reserved for the core (choose another name)"

// CheckOrigin checks where the core or a plug comes from: a module path and
// version, or a source (with a version for git, a checksum for an archive),
// as the keys module, version, source and checksum of one entry. Empty
// values are absent keys.
func CheckOrigin(mod, version, source, checksum string) error {
	c := &checker{}
	f := map[string]*yamlsrc.Entry{}
	for k, v := range map[string]string{"module": mod, "version": version, "source": source, "checksum": checksum} {
		if v != "" {
			f[k] = &yamlsrc.Entry{Key: k, KeyIsString: true, Val: &yamlsrc.Node{Kind: yamlsrc.String, Str: v, Text: v}}
		}
	}
	c.checkOrigin(scopeNone, Pos{}, f, mod)
	return c.joined()
}

// CheckImport checks an import path given for key ("main", "import") of
// the core or a plug from module mod ("" when not known yet).
func CheckImport(key, imp, mod string) error {
	c := &checker{}
	c.checkImport(scopeNone, &yamlsrc.Entry{Key: key, Val: &yamlsrc.Node{Kind: yamlsrc.String, Str: imp}}, key, imp, mod)
	return c.joined()
}

// CheckEntry checks core.entry: the name of an exported function, or a
// call of the restricted syntax internal/entry reads. A problem is an
// *entry.SyntaxError.
func CheckEntry(text string) error {
	_, err := entry.Parse(text)
	return err
}

// CheckProfile checks core.profile: none, a profile shipped with plugctl,
// or the path of a profile file.
func CheckProfile(name string) error {
	switch {
	case name == profile.None || slices.Contains(profile.Names(), name):
		return nil
	case profile.IsPath(name):
		if msg := checkPath(name); msg != "" {
			return errors.New("profile " + msg)
		}
		return nil
	}
	msg := fmt.Sprintf("unknown profile %s (valid: %s, none, or the path of a profile file: ./profile.yaml)", diag.Quote(name), strings.Join(profile.Names(), ", "))
	if h := suggest.Hint(name, profile.Names()); h != "" {
		msg += "; " + h
	}
	return errors.New(msg)
}

// CheckModulePath checks a module path as the config does.
func CheckModulePath(mod string) error {
	if err := module.CheckPath(mod); err != nil {
		return fmt.Errorf("invalid module path %s: %s", diag.Quote(mod), pathProblem(err))
	}
	return nil
}

// joined returns the problems c found as one error, or nil.
func (c *checker) joined() error {
	if len(c.probs) == 0 {
		return nil
	}
	msgs := make([]string, len(c.probs))
	for i, p := range c.probs {
		msgs[i] = p.msg
	}
	return errors.New(strings.Join(msgs, "; "))
}
