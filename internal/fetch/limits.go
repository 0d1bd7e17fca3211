package fetch

import (
	"crypto/x509"
	"time"

	"github.com/plugctl/plugctl/internal/report"
)

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
	return l
}

// Fetcher resolves and fetches git and archive sources. The zero Fetcher is
// ready to use: no progress reported, default limits, the system's TLS
// roots.
type Fetcher struct {
	// R receives every subprocess run (credentials redacted).
	R report.Reporter
	// Limits bounds each resolve and fetch.
	Limits Limits
	// RootCAs, when set, replaces the system's roots for https archive
	// downloads (tests use it for a server on 127.0.0.1). git uses its own
	// configuration (http.sslCAInfo).
	RootCAs *x509.CertPool
	// Keep names the root files whose bytes a fetched Tree's Sums keep
	// besides go.mod (modhash.Dir), so that reading them later does not
	// open them again: the manifest.
	Keep []string
}

func (f *Fetcher) reporter() report.Reporter {
	if f == nil || f.R == nil {
		return report.Discard
	}
	return f.R
}

func (f *Fetcher) limits() Limits {
	if f == nil {
		return Limits{}.withDefaults()
	}
	return f.Limits.withDefaults()
}
