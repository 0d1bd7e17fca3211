package resolve

import (
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
// of them: a canonical semantic version as Go modules write them
// (pseudo-versions and +incompatible included).
func IsExact(v string) bool {
	base := strings.TrimSuffix(v, "+incompatible")
	return semver.IsValid(base) && semver.Canonical(base) == base
}

// Match returns the highest of versions that satisfies the semver
// constraint c (Masterminds/semver/v3 syntax: ^1.2, ~1.2.3, >=1.0 <2, …).
// Pre-releases match only a constraint that names a pre-release itself,
// so ^1.2 never picks v1.3.0-rc.1 but >=1.3.0-rc.1 may. ok is false when
// nothing matches.
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
// there is no release; "" for none.
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
