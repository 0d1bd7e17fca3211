package source

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/plugctl/plugctl/internal/extract"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/modhash"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/report"
)

// Env is what the resolutions and fetches of one run share. The zero Env is
// usable by the kinds that need no directory: no progress reported, default
// limits, the system's TLS roots, no hash cache.
type Env struct {
	// R receives every subprocess run (credentials redacted).
	R report.Reporter
	// Limits bound each git and archive resolve and fetch.
	Limits Limits
	// RootCAs, when set, replaces the system's roots for https archive
	// downloads (tests use it for a server on 127.0.0.1). git uses its own
	// configuration (http.sslCAInfo).
	RootCAs *x509.CertPool
	// Hashes holds the Sums of the directories this run reads, shared with
	// the caller's other steps; trees fetched are put in it, and keep the
	// root files it names (the manifest) so nobody opens them again.
	Hashes *modhash.Cache
	// Sources is the directory git and archive sources are fetched into,
	// one subdirectory per component name.
	Sources string
	// Work is an empty directory the go command runs in, so that no go.mod
	// of the user's (or of /tmp) takes part in a query.
	Work string
	// ModCache is the go command's module cache (GOMODCACHE), "" when
	// not known: where a locked module is looked up before go is asked.
	ModCache string
}

// Reporter returns the reporter of subprocess runs.
func (e *Env) Reporter() report.Reporter {
	if e == nil || e.R == nil {
		return report.Discard
	}
	return e.R
}

// Limit returns the fetch limits, defaults filled in.
func (e *Env) Limit() Limits {
	if e == nil {
		return Limits{}.withDefaults()
	}
	return e.Limits.withDefaults()
}

// Keep returns the root files a fetched tree's Sums keep besides go.mod.
func (e *Env) Keep() []string {
	if e == nil {
		return nil
	}
	return e.Hashes.Keep()
}

// WithTimeout bounds ctx by the time one resolve or fetch may take.
func (e *Env) WithTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, e.Limit().Timeout)
}

// FetchErr classifies err, the failure of doing what under a context made
// by WithTimeout from parent, as a fetch failure: a timeout says so, a
// cancellation by the caller stays one, and a failure that already has a
// kind keeps it.
func (e *Env) FetchErr(parent context.Context, err error, what string) error {
	if parent.Err() != nil {
		return fmt.Errorf("%s: %w", what, parent.Err())
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fail.New(fail.Fetch, "%s: timed out after %s", what, e.Limit().Timeout)
	}
	var fe *fail.Error
	if errors.As(err, &fe) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fail.Wrap(fail.Fetch, fmt.Errorf("%s: %w", what, err))
}

// The default limits: far above what any plug needs, low enough that a
// hostile server or archive cannot fill a disk or hang a CI job.
const (
	// DefaultMaxBytes caps the bytes of one archive download.
	DefaultMaxBytes = 512 << 20
	// DefaultMaxFiles caps the entries of one archive or source tree.
	DefaultMaxFiles = 100_000
	// DefaultMaxTreeBytes caps the bytes of one tree once extracted.
	DefaultMaxTreeBytes = 2 << 30
	// DefaultTimeout caps the time one source may take to resolve or fetch.
	DefaultTimeout = 10 * time.Minute
)

// Limits bounds what fetching one source may cost. A zero field means its
// default.
type Limits struct {
	MaxBytes     int64         // bytes downloaded for an archive (DefaultMaxBytes)
	MaxFiles     int           // files and directories in an archive or tree (DefaultMaxFiles)
	MaxTreeBytes int64         // bytes of all files once extracted (DefaultMaxTreeBytes)
	Timeout      time.Duration // time for one resolve or fetch (DefaultTimeout)
	// HookTimeout is the time the build-time hooks of one plug may take
	// together (Timeout): they make part of its tree, as a fetch does.
	HookTimeout time.Duration
}

// Tree returns the bounds of a directory of the project read whole
// (build.embed): MaxFiles files and MaxTreeBytes bytes, as for a fetched
// tree.
func (l Limits) Tree() files.TreeLimits {
	l = l.withDefaults()
	return files.TreeLimits{MaxFiles: l.MaxFiles, MaxBytes: l.MaxTreeBytes}
}

// withDefaults returns l with every zero field set to its default.
func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultMaxFiles
	}
	if l.MaxTreeBytes <= 0 {
		l.MaxTreeBytes = DefaultMaxTreeBytes
	}
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	if l.HookTimeout <= 0 {
		l.HookTimeout = l.Timeout
	}
	return l
}

// Extract returns the options of extracting a tree within l.
func (l Limits) Extract(links extract.Symlinks) extract.Options {
	return extract.Options{Limits: extract.Limits{MaxEntries: l.MaxFiles, MaxBytes: l.MaxTreeBytes}, Symlinks: links}
}

// ExtractErr classifies an extraction's failure: an archive or tree that is
// refused is the source's fault (fail.Config); anything else, such as a
// full disk, stays unclassified.
func ExtractErr(err error) error {
	var xe *extract.Error
	if errors.As(err, &xe) {
		return fail.Wrap(fail.Config, err)
	}
	return err
}

// Quote quotes a source, version or value for a message, credentials
// removed and shortened when long.
func Quote(s string) string { return redact.Quote(s, 60) }
