// Package extended registers the fixture's extended pure components.
package extended

import (
	"strings"

	"github.com/redpanda-data/benthos/v4/public/service"
)

func init() { service.RegisterProcessor("reverse", func(s string) string { return reverse(s) }) }

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return strings.Clone(string(r))
}
