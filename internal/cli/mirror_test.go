package cli_test

import (
	"net/http"
	"net/http/httptest"

	"github.com/rogpeppe/go-internal/testscript"
)

// mirrorCmds serve a vendor tree's module mirror as a site would.
var mirrorCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"serve": cmdServe,
}

// cmdServe serves DIR over HTTP on 127.0.0.1 — a static file server, which
// is all a GOPROXY needs — until the script ends, and sets VAR to its URL:
// serve DIR VAR.
func cmdServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: serve DIR VAR")
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(ts.MkAbs(args[0]))))
	ts.Defer(srv.Close)
	ts.Setenv(args[1], srv.URL)
}
