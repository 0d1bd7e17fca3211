// Package io registers the fixture's io components.
package io

import "github.com/redpanda-data/benthos/v4/public/service"

func init() { service.RegisterProcessor("log", func(s string) string { return s }) }
