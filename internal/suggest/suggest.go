// Package suggest finds, for a word a person mistyped (a command, a flag, a
// config key, a target, a plug or setting name), the valid words they most
// likely meant: the "did you mean …?" of every plugctl message.
//
// A candidate is near when its edit distance from the word is at most a
// third of the word's length (at least 1), counting case-insensitively and
// counting a swap of two neighbouring letters as one edit ("biuld" is one
// edit from "build"), or when one starts with the other: a candidate that
// the word (of three letters or more) begins ("gen" for "generate"), or one
// of four letters or more that begins the word ("entry" for "entrypoint").
// The limit follows rustc's: it
// suggests "source" for "sorce" and "windows/amd64" for "window/amd64" but
// nothing for a word that is merely short.
package suggest

import (
	"strconv"
	"strings"
)

// Nearest returns the candidates nearest word, in the order given: those
// at the smallest edit distance, or the ones word is a prefix of when none is
// near; nil when none qualifies or word is itself a candidate.
func Nearest(word string, candidates []string) []string {
	w := []rune(strings.ToLower(word))
	if len(w) == 0 {
		return nil
	}
	limit := max(len(w), 3) / 3
	best := limit + 1
	var near, prefix []string
	for _, c := range candidates {
		if c == word {
			return nil
		}
		lc := strings.ToLower(c)
		d := distance(w, []rune(lc), limit+1)
		switch {
		case d < best:
			best, near = d, []string{c}
		case d == best && d <= limit:
			near = append(near, c)
		case len(w) >= 3 && strings.HasPrefix(lc, string(w)),
			len([]rune(lc)) >= 4 && strings.HasPrefix(string(w), lc):
			prefix = append(prefix, c)
		}
	}
	if len(near) > 0 {
		return dedup(near)
	}
	return dedup(prefix)
}

// Hint returns `did you mean "a"?` or `did you mean "a", "b" or "c"?`; ""
// when Nearest finds none, or more than three (then none is a good guess:
// "linux" starts thirteen targets).
func Hint(word string, candidates []string) string {
	near := Nearest(word, candidates)
	if len(near) == 0 || len(near) > 3 {
		return ""
	}
	q := make([]string, len(near))
	for i, n := range near {
		q[i] = strconv.Quote(n)
	}
	s := q[len(q)-1]
	if len(q) > 1 {
		s = strings.Join(q[:len(q)-1], ", ") + " or " + s
	}
	return "did you mean " + s + "?"
}

func dedup(ss []string) []string {
	var out []string
	for _, s := range ss {
		dup := false
		for _, o := range out {
			dup = dup || o == s
		}
		if !dup {
			out = append(out, s)
		}
	}
	return out
}

// distance is the optimal string alignment distance of a and b
// (Levenshtein's insertions, deletions and substitutions, plus swaps of
// neighbours), or a value >= bound once it is certain to reach bound.
func distance(a, b []rune, bound int) int {
	if d := len(a) - len(b); d >= bound || -d >= bound {
		return bound
	}
	// Three rows: the one before the previous is needed for swaps.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= bound {
			return bound
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
