package gotool

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/plugctl/plugctl/internal/report"
	"github.com/plugctl/plugctl/internal/run"
)

// Retry says how a module query that fails for a transient reason — the
// network, or a proxy answering 5xx — is tried again, as ocb retries its
// downloads: at most Attempts times in all, each attempt bounded by
// Timeout, waiting Backoff, then twice as long, between them. A module or
// version the proxy says does not exist (404, 410) is not retried.
type Retry struct {
	Attempts int
	Timeout  time.Duration
	Backoff  time.Duration
}

// DefaultRetry is three attempts of ten minutes at most each.
var DefaultRetry = Retry{Attempts: 3, Timeout: 10 * time.Minute, Backoff: time.Second}

// transientRE matches what the go command says of a failure worth another
// try: a proxy's 5xx status, a connection that failed or timed out.
var transientRE = regexp.MustCompile(`(?i)\b5\d\d [a-z]|dial tcp|connection refused|connection reset|broken pipe|i/o timeout|tls handshake timeout|timeout awaiting response headers|unexpected eof|temporary failure in name resolution|server misbehaving|http2: |context deadline exceeded`)

// Transient reports whether msg, what a failed module query said, is a
// transient failure: the network or the proxy's server, never a module or
// version that does not exist.
func Transient(msg string) bool {
	if ClassifyQuery(msg) != QueryNetwork {
		return false
	}
	return transientRE.MatchString(msg)
}

// QueryRetry runs Query as rt says: again after a transient failure, each
// attempt bounded by rt.Timeout. A timed-out attempt is transient too. The
// reporter hears of each retry. The last attempt's output and error are
// returned.
func QueryRetry(ctx context.Context, r report.Reporter, dir string, rt Retry, args ...string) ([]byte, error) {
	if r == nil {
		r = report.Discard
	}
	attempts := max(rt.Attempts, 1)
	wait := rt.Backoff
	for i := 1; ; i++ {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if rt.Timeout > 0 {
			actx, cancel = context.WithTimeout(ctx, rt.Timeout)
		}
		out, err := Query(actx, r, dir, args...)
		timedOut := actx.Err() != nil && ctx.Err() == nil
		cancel()
		if err == nil || ctx.Err() != nil {
			return out, err
		}
		msg := string(out)
		var re *run.Error
		if errors.As(err, &re) {
			msg += "\n" + re.Stderr
		}
		if timedOut {
			err = fmt.Errorf("go %s: timed out after %s: %w", strings.Join(args, " "), rt.Timeout, err)
		}
		if i >= attempts || !(timedOut || Transient(msg)) {
			return out, err
		}
		r.Note(fmt.Sprintf("go %s failed (%s); trying again (%d of %d)", strings.Join(args, " "), firstLine(msg, timedOut, rt.Timeout), i+1, attempts))
		select {
		case <-ctx.Done():
			return out, err
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// firstLine is the gist of a failure, for the retry note.
func firstLine(msg string, timedOut bool, d time.Duration) string {
	if timedOut {
		return "timed out after " + d.String()
	}
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(l); transientRE.MatchString(l) {
			if len(l) > 200 {
				l = l[:200] + "…"
			}
			return l
		}
	}
	return "a transient failure"
}
