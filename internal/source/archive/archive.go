package archive

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	getter "github.com/hashicorp/go-getter/v2"

	"github.com/plugctl/plugctl/internal/extract"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/redact"
	"github.com/plugctl/plugctl/internal/source"
)

// MaxRedirects is how many HTTP redirects one archive download follows.
const MaxRedirects = 10

// FetchTree downloads the archive at src (an https:// or file:// URL of a
// .tar.gz, .tgz or .zip), checks that its bytes have the sha256 checksum
// ("sha256:<hex>") the config gives, and extracts it into dst, replacing
// whatever is there only once the whole tree is written. The module's root
// is the archive's root, or the one directory the archive holds when it
// holds nothing else (as release tarballs do).
//
// A checksum that differs is a fail.Mismatch error naming the URL and both
// digests; a download that fails, times out or exceeds Limits.MaxBytes is a
// fail.Fetch error; an archive with an unsafe entry or beyond the limits is
// a fail.Config error naming the entry. Nothing is extracted from an
// archive whose checksum or entries are wrong.
func FetchTree(ctx context.Context, env *source.Env, src, checksum, dst string) (*source.Tree, error) {
	u, format, err := Parse(src)
	if err != nil {
		return nil, err
	}
	shown := redact.URL(u)
	if !checksumRE.MatchString(checksum) {
		return nil, fail.New(fail.Config, "archive %s: invalid checksum %s (valid: %s)", shown, source.Quote(checksum), validChecksum)
	}
	lim := env.Limit()
	tctx, cancel := env.WithTimeout(ctx)
	defer cancel()

	work, err := files.MkdirTemp("plugctl-archive-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	file := filepath.Join(work, "archive."+format)
	if err := download(tctx, env, u.String(), u.Scheme, u.Path, file, lim); err != nil {
		return nil, env.FetchErr(ctx, err, "downloading "+shown)
	}
	got, err := fileSHA256(file)
	if err != nil {
		return nil, err
	}
	if got != checksum {
		return nil, fail.New(fail.Mismatch, "archive %s: checksum mismatch: the config says %s, the download is %s", shown, checksum, got)
	}
	t, err := unpack(tctx, env, file, format, dst)
	if err != nil {
		return nil, env.FetchErr(ctx, err, "extracting "+shown)
	}
	return t, nil
}

// download writes the bytes at the URL raw into file through go-getter.
func download(ctx context.Context, env *source.Env, raw, scheme, path, file string, lim source.Limits) error {
	if scheme == "file" {
		// go-getter copies a local file without a cap; refuse what is not
		// a regular file of acceptable size (/dev/zero, a FIFO) up front.
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return fail.New(fail.Fetch, "%s is not a regular file", path)
		}
		if fi.Size() > lim.MaxBytes {
			return &tooLargeError{lim.MaxBytes}
		}
	}
	tr := transport(env, lim)
	defer tr.CloseIdleConnections()
	client := &getter.Client{
		Getters: []getter.Getter{
			&getter.HttpGetter{
				Netrc:                 true,
				Client:                httpClient(tr, lim),
				Header:                http.Header{"User-Agent": {"plugctl"}},
				DoNotCheckHeadFirst:   true, // one request, no Range resumption
				ReadTimeout:           lim.Timeout,
				XTerraformGetDisabled: true,
			},
			&getter.FileGetter{},
		},
		// Nothing is decompressed while downloading: the checksum is
		// checked on the archive's bytes first, see extract.
		Decompressors:   map[string]getter.Decompressor{},
		DisableSymlinks: true,
	}
	_, err := client.Get(ctx, &getter.Request{
		Src:             raw,
		Dst:             file,
		GetMode:         getter.ModeFile,
		Copy:            true, // never a symlink to a file:// source
		DisableSymlinks: true,
	})
	if err == nil && ctx.Err() != nil {
		// The body can end cleanly as the deadline cancels the request;
		// the bytes may be cut short, and the limit is what stopped them.
		err = ctx.Err()
	}
	if err != nil {
		// The cap speaks for itself; drop the "Get URL:" around it.
		var tl *tooLargeError
		if errors.As(err, &tl) {
			return tl
		}
		return redacted{err}
	}
	return nil
}

// transport is the HTTP transport of one download: the environment's
// proxy, the fetcher's TLS roots, and no transparent gzip decoding (the
// checksum is of the bytes as served).
func transport(env *source.Env, lim source.Limits) *http.Transport {
	dial := min(30*time.Second, lim.Timeout)
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dial, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: env.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   dial,
		ResponseHeaderTimeout: lim.Timeout,
		ForceAttemptHTTP2:     true,
		DisableCompression:    true,
	}
}

// httpClient returns the client go-getter downloads with: bodies capped at
// lim.MaxBytes, at most MaxRedirects redirects, none of them away from
// https.
func httpClient(tr http.RoundTripper, lim source.Limits) *http.Client {
	return &http.Client{
		Transport: &cappedTransport{base: tr, max: lim.MaxBytes},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= MaxRedirects {
				return fmt.Errorf("stopped after %d redirects", MaxRedirects)
			}
			if req.URL.Scheme != "https" {
				return fmt.Errorf("refusing a redirect to %s (only https is allowed)", redact.URL(req.URL))
			}
			return nil
		},
	}
}

// tooLargeError is a download beyond Limits.MaxBytes.
type tooLargeError struct{ max int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("the archive is larger than %s (the limit)", files.Size(e.max))
}

// cappedTransport fails a response whose body is, or turns out to be,
// larger than max bytes. go-getter's own HttpGetter.MaxBytes truncates the
// body silently instead.
type cappedTransport struct {
	base http.RoundTripper
	max  int64
}

func (t *cappedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.max {
		resp.Body.Close()
		return nil, &tooLargeError{t.max}
	}
	resp.Body = &cappedBody{ReadCloser: resp.Body, max: t.max}
	return resp, nil
}

type cappedBody struct {
	io.ReadCloser
	n, max int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if b.n > b.max {
		return n, &tooLargeError{b.max}
	}
	return n, err
}

// redacted is an error whose message has credentials removed; it unwraps
// to the original for errors.Is and errors.As.
type redacted struct{ err error }

func (e redacted) Error() string { return redact.String(e.err.Error()) }
func (e redacted) Unwrap() error { return e.err }

// fileSHA256 returns "sha256:<hex>" of the file's bytes.
func fileSHA256(file string) (string, error) {
	fh, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// unpack writes the archive at file (format formatTarGz or formatZip)
// into a temporary sibling of dst, which then replaces dst. The archive is
// checked whole before anything is written (internal/extract).
func unpack(ctx context.Context, env *source.Env, file, format, dst string) (*source.Tree, error) {
	xf := extract.TarGz
	if format == formatZip {
		xf = extract.Zip
	}
	tmp, err := files.TempDir(dst)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := extract.File(ctx, file, xf, tmp, env.Limit().Extract(extract.RefuseSymlinks)); err != nil {
		return nil, source.ExtractErr(err)
	}
	root, err := moduleRoot(tmp)
	if err != nil {
		return nil, err
	}
	t, err := source.ReadTree(root, env.Keep())
	if err != nil {
		return nil, err
	}
	if err := files.ReplaceDir(root, dst); err != nil {
		return nil, err
	}
	t.Dir, t.Sums = dst, t.Sums.At(dst)
	return t, nil
}

// moduleRoot returns the directory of an extracted archive that holds the
// module: dir itself when it has a go.mod, else its only entry when that is
// a directory with a go.mod.
func moduleRoot(dir string) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		return dir, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	if len(ents) == 1 && ents[0].IsDir() {
		sub := filepath.Join(dir, ents[0].Name())
		if _, err := os.Stat(filepath.Join(sub, "go.mod")); err == nil {
			return sub, nil
		}
	}
	return "", fail.New(fail.Config, "the archive has no go.mod at its root (nor in a single top-level directory)")
}
