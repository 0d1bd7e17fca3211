// Package hooked is a test plug fetched from the test module proxy whose
// description is a constant its build-time hook generates.
package hooked

import "github.com/plugctl/plugctl/plug"

func init() {
	plug.Register(plug.Plugin{Name: "hooked", Description: generated, Init: func(*plug.Context) error { return nil }})
}
