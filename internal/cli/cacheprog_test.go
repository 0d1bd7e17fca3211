package cli_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// cacheProg is a build cache program for the go command (GOCACHEPROG),
// speaking the protocol of cmd/go/internal/cacheprog: JSON lines over
// stdin and stdout, a first message announcing the commands it knows, then
// one answer per "get", "put" and "close" request. Scripts run it as
//
//	cacheprog STORE LOCAL
//
// STORE stands for a remote store two machines share (an object per
// action and one per output, written atomically); LOCAL is the machine's
// own directory, where the bodies the go command reads are kept (the
// protocol's DiskPath) and where LOCAL/log gets one line per request:
// "get hit", "get miss", "put package" for a compiled package (a Go
// archive: the output of a compile action) or "put other". A machine whose
// log has no "put package" compiled nothing.
//
// cacheprog -fail exits at once saying the store is unreachable;
// cacheprog -hang never answers; cacheprog -failget announces itself and
// answers every lookup with an error.
func cacheProg() {
	args := os.Args[1:]
	switch {
	case len(args) == 1 && args[0] == "-fail":
		fmt.Fprintln(os.Stderr, "cacheprog: cache store unreachable: connection refused")
		os.Exit(1)
	case len(args) == 1 && args[0] == "-hang":
		time.Sleep(time.Hour)
		os.Exit(1)
	case len(args) == 1 && args[0] == "-failget":
		serveCache("", "", true)
	case len(args) == 2:
		serveCache(args[0], args[1], false)
	default:
		fmt.Fprintln(os.Stderr, "usage: cacheprog STORE LOCAL | -fail | -hang | -failget")
		os.Exit(2)
	}
	os.Exit(0)
}

// cacheRequest and cacheResponse are the protocol's Request and Response
// (cmd/go/internal/cacheprog), the fields this program uses.
type cacheRequest struct {
	ID       int64
	Command  string
	ActionID []byte
	OutputID []byte
	BodySize int64
}

type cacheResponse struct {
	ID            int64
	Err           string   `json:",omitempty"`
	KnownCommands []string `json:",omitempty"`
	Miss          bool     `json:",omitempty"`
	OutputID      []byte   `json:",omitempty"`
	Size          int64    `json:",omitempty"`
	DiskPath      string   `json:",omitempty"`
}

func serveCache(store, local string, failGet bool) {
	fatal := func(err error) {
		fmt.Fprintln(os.Stderr, "cacheprog:", err)
		os.Exit(1)
	}
	var log *os.File
	if !failGet {
		for _, d := range []string{filepath.Join(store, "a"), filepath.Join(store, "o"), local} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				fatal(err)
			}
		}
		var err error
		if log, err = os.OpenFile(filepath.Join(local, "log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
			fatal(err)
		}
	}
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	answer := func(r cacheResponse) {
		if err := enc.Encode(r); err != nil {
			fatal(err)
		}
		if err := out.Flush(); err != nil {
			fatal(err)
		}
	}
	answer(cacheResponse{KnownCommands: []string{"get", "put", "close"}})
	dec := json.NewDecoder(bufio.NewReader(os.Stdin))
	for {
		var req cacheRequest
		if err := dec.Decode(&req); err != nil {
			return // stdin closed: the go command is done
		}
		res := cacheResponse{ID: req.ID}
		action := hex.EncodeToString(req.ActionID)
		switch req.Command {
		case "close":
			answer(res)
			return
		case "get":
			if failGet {
				res.Err = "cache store unreachable: connection refused"
				break
			}
			output, err := os.ReadFile(filepath.Join(store, "a", action))
			if err != nil {
				res.Miss = true
				fmt.Fprintln(log, "get miss")
				break
			}
			body, err := os.ReadFile(filepath.Join(store, "o", string(output)))
			if err != nil {
				res.Miss = true
				fmt.Fprintln(log, "get miss")
				break
			}
			path := filepath.Join(local, string(output))
			if err := atomicWrite(path, body); err != nil {
				fatal(err)
			}
			res.OutputID, _ = hex.DecodeString(string(output))
			res.Size, res.DiskPath = int64(len(body)), path
			fmt.Fprintln(log, "get hit")
		case "put":
			var body []byte
			if req.BodySize > 0 {
				// The body follows as a base64 JSON string.
				if err := dec.Decode(&body); err != nil {
					fatal(err)
				}
			}
			output := hex.EncodeToString(req.OutputID)
			path := filepath.Join(local, output)
			for _, w := range []struct {
				path string
				data []byte
			}{{path, body}, {filepath.Join(store, "o", output), body}, {filepath.Join(store, "a", action), []byte(output)}} {
				if err := atomicWrite(w.path, w.data); err != nil {
					fatal(err)
				}
			}
			res.DiskPath = path
			kind := "other"
			if bytes.HasPrefix(body, []byte("!<arch>\n")) {
				kind = "package"
			}
			fmt.Fprintln(log, "put", kind)
		default:
			res.Err = "unknown command " + req.Command
		}
		answer(res)
	}
}

// atomicWrite writes data to path through a temporary file and a rename,
// as a store shared by several machines must.
func atomicWrite(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}
