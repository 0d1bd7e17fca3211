// Package versions holds plugctl's rules about the version field of the
// config, the lock and the manifests, so that each rule is written once:
//
//   - an exact version is a canonical semantic version as Go modules write
//     them: vMAJOR.MINOR.PATCH with an optional pre-release, pseudo-versions
//     (v0.0.0-20240102030405-abcdefabcdef) and the +incompatible suffix
//     included, and no other build metadata (IsExact);
//   - a canonical version is an exact version without +incompatible: what a
//     release tag of a repository must be named (IsCanonical);
//   - a commit is 40 (SHA-1) or 64 (SHA-256) lowercase hex digits
//     (IsCommit); an abbreviated commit has at least 7 of them
//     (IsShortCommit);
//   - a constraint is a Masterminds/semver/v3 range (^1.2, ~1.2.3,
//     >=1.0 <2, a || b); Match picks the highest version inside one, and a
//     pre-release matches only a constraint that names a pre-release itself;
//   - Latest ("latest") asks for the newest version as the go command means
//     it: the highest release, else the highest pre-release (Newest).
//
// Versions compare with golang.org/x/mod/semver. The package reads no
// files and runs nothing.
package versions

import (
	"errors"
	"regexp"
	"slices"
	"strings"

	msemver "github.com/Masterminds/semver/v3"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// Latest is the version query that asks for the newest version, the way the
// go command means it: the highest release, else the highest pre-release,
// else the newest pseudo-version.
const Latest = "latest"

// IsExact reports whether v names one version of a module rather than a set
// of them: a canonical semantic version as Go modules write them,
// pseudo-versions and +incompatible included.
func IsExact(v string) bool {
	return IsCanonical(strings.TrimSuffix(v, "+incompatible"))
}

// IsCanonical reports whether v is a canonical semantic version
// (vMAJOR.MINOR.PATCH[-pre]) with no build metadata, +incompatible
// included: the names of release tags.
func IsCanonical(v string) bool {
	return semver.IsValid(v) && semver.Canonical(v) == v
}

// IsCommit reports whether s is a full commit hash: 40 (SHA-1) or 64
// (SHA-256) lowercase hex digits.
func IsCommit(s string) bool {
	return (len(s) == 40 || len(s) == 64) && isHex(s)
}

// IsShortCommit reports whether s may abbreviate a commit hash: 7 to 63
// lowercase hex digits.
func IsShortCommit(s string) bool {
	return len(s) >= 7 && len(s) < 64 && isHex(s)
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// IsConstraint reports whether c parses as a semver constraint.
func IsConstraint(c string) bool {
	_, err := msemver.NewConstraint(c)
	return err == nil
}

// Match returns the highest of versions that satisfies the semver
// constraint c (Masterminds/semver/v3 syntax: ^1.2, ~1.2.3, >=1.0 <2, …).
// Pre-releases match only a constraint that names a pre-release itself,
// so ^1.2 never picks v1.3.0-rc.1 but >=1.3.0-rc.1 may. ok is false when
// nothing matches; err is set when c is not a constraint.
func Match(c string, versions []string) (v string, ok bool, err error) {
	cons, err := msemver.NewConstraint(c)
	if err != nil {
		return "", false, err
	}
	for _, cand := range versions {
		sv, err := msemver.NewVersion(cand)
		if err != nil || !cons.Check(sv) {
			continue
		}
		if !ok || semver.Compare(cand, v) > 0 {
			v, ok = cand, true
		}
	}
	return v, ok, nil
}

// Newest returns the version the go command's "latest" query picks among
// tagged versions: the highest release, or the highest pre-release when
// there is no release; "" for none. Pseudo-versions are not tags and are
// passed over.
func Newest(versions []string) string {
	best, bestPre := "", ""
	for _, v := range versions {
		if !semver.IsValid(v) || module.IsPseudoVersion(v) {
			continue
		}
		if semver.Prerelease(v) == "" {
			if best == "" || semver.Compare(v, best) > 0 {
				best = v
			}
		} else if bestPre == "" || semver.Compare(v, bestPre) > 0 {
			bestPre = v
		}
	}
	if best != "" {
		return best
	}
	return bestPre
}

// numberRE finds the first version number a constraint mentions.
var numberRE = regexp.MustCompile(`v?\d+(\.\d+)?(\.\d+)?(-[0-9A-Za-z.-]+)?`)

// Nearest returns up to n of versions closest to the first version the
// constraint c mentions, in ascending order: what a user who wrote c most
// likely meant to pick from.
func Nearest(c string, versions []string, n int) []string {
	vs := slices.Clone(versions)
	semver.Sort(vs)
	if len(vs) <= n {
		return vs
	}
	anchor := numberRE.FindString(c)
	if anchor == "" {
		return vs[len(vs)-n:]
	}
	av, err := msemver.NewVersion(anchor)
	if err != nil {
		return vs[len(vs)-n:]
	}
	target := "v" + av.String()
	i, _ := slices.BinarySearchFunc(vs, target, semver.Compare)
	lo := max(0, min(i-n/2, len(vs)-n))
	return vs[lo : lo+n]
}

// Valid describes, for messages, the versions IsQuery accepts.
const Valid = "an exact version like v1.2.3, a constraint like ^1.2, ~1.2.3 or >=1.0 <2, latest, or a pseudo-version"

// IsQuery reports whether v asks for module versions the way the go command
// and the semver tags of a repository answer: latest, an exact version or a
// constraint.
func IsQuery(v string) bool {
	return v == Latest || IsExact(v) || IsConstraint(v)
}

// Reason returns what golang.org/x/mod/module says is wrong with a version
// (module.Check's error), without the module and version it repeats.
func Reason(err error) string {
	var iv *module.InvalidVersionError
	if errors.As(err, &iv) && iv.Err != nil {
		return iv.Err.Error()
	}
	var me *module.ModuleError
	if errors.As(err, &me) && me.Err != nil {
		return me.Err.Error()
	}
	return err.Error()
}
