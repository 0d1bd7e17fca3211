// Package dnsplug is a test plug that requires example.com/logger v0.3.0,
// raising it over the v0.2.0 example.com/webcore requires, as
// caddy-dns/cloudflare v0.2.1 raised Caddy v2.8.4's go.uber.org/zap/exp.
package dnsplug

import "example.com/logger/slogx"

var _ slogx.Option
