// Package pure registers the fixture's pure components.
package pure

import "github.com/redpanda-data/benthos/v4/public/service"

func init() { service.RegisterProcessor("noop", func(s string) string { return s }) }
