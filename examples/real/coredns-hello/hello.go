// Package hello is a CoreDNS plugin: it answers hello.example. A with
// 192.0.2.53 and hands every other query to the plugins after it. In the
// Corefile:
//
//	hello
package hello

import (
	"context"
	"net"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"
	"github.com/miekg/dns"
)

// Name is the plugin's directive.
const Name = "hello"

func init() { plugin.Register(Name, setup) }

func setup(c *caddy.Controller) error {
	c.Next() // the directive
	if c.NextArg() {
		return plugin.Error(Name, c.ArgErr())
	}
	dnsserver.GetConfig(c).AddPlugin(func(next plugin.Handler) plugin.Handler { return Hello{Next: next} })
	return nil
}

// Hello is the plugin's handler.
type Hello struct{ Next plugin.Handler }

// Name returns the plugin's name.
func (Hello) Name() string { return Name }

// ServeDNS answers hello.example. A, and hands the rest on.
func (h Hello) ServeDNS(ctx context.Context, w dns.ResponseWriter, r *dns.Msg) (int, error) {
	if len(r.Question) != 1 || r.Question[0].Name != "hello.example." || r.Question[0].Qtype != dns.TypeA {
		return plugin.NextOrFailure(Name, h.Next, ctx, w, r)
	}
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	m.Answer = []dns.RR{&dns.A{
		Hdr: dns.RR_Header{Name: r.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
		A:   net.ParseIP("192.0.2.53"),
	}}
	if err := w.WriteMsg(m); err != nil {
		return dns.RcodeServerFailure, err
	}
	return dns.RcodeSuccess, nil
}
