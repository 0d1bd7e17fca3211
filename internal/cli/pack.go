package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/pack"
)

// packOptions are the inputs of plugctl pack.
type packOptions struct {
	*globals
	// Dir is the plug module's root; default: the current directory.
	Dir string
	// Output is the archive to write, ending in .tar.gz or .tgz, outside
	// Dir. Required.
	Output string
	// Sign are signing keys (plugctl key generate) that sign the archive,
	// into Output.sig; repeatable.
	Sign []string
}

func newCmdPack(g *globals, runF func(context.Context, *packOptions) error) *cobra.Command {
	o := &packOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "pack [DIR] -o NAME-VERSION.tar.gz [--sign KEY]...",
		Short: "Pack a plug module into one deterministic archive that a plug config consumes by its checksum",
		Long: `pack writes the plug module in DIR (default: the current directory) as one .tar.gz
holding exactly what a module zip of it would: its files, go.mod, go.sum and plugin.yaml,
nothing outside the module, no version-control metadata, no nested modules, no links.
Entries are sorted, with fixed times, owners and modes, so packing the same files again,
anywhere, gives the same bytes. A plugin.yaml is checked first.

It prints the two lines a plug config's entry needs to consume the archive as an archive
source, source: (a file:// URL; serve it over https:// to share it) and checksum:. With
--sign (repeatable) it writes FILE.sig beside the archive, a signature over its SHA-256
and module that plugctl verify FILE --verify-key checks; packing again without --sign
removes a signature that no longer matches.`,
		Example: `  plugctl pack -o ../greeter-v0.1.0.tar.gz
  plugctl pack ./plugins/audit -o dist/audit-v1.2.0.tar.gz --sign ~/.config/plugctl/release.key
  plugctl verify dist/audit-v1.2.0.tar.gz --verify-key release.key.pub`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Dir = "."
			if len(args) == 1 {
				o.Dir = args[0]
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return packRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "the archive to write, NAME-VERSION.tar.gz, outside DIR (required)")
	cmd.Flags().StringArrayVar(&o.Sign, "sign", nil, "sign the archive with this signing key (plugctl key generate) into FILE.sig, repeatable")
	_ = cmd.MarkFlagRequired("output")
	_ = cmd.MarkFlagFilename("output", "tar.gz", "tgz")
	_ = cmd.MarkFlagFilename("sign")
	return withExits(cmd, fail.Config)
}

// packResult is the --json document of pack (docs/json.md).
type packResult struct {
	envelope
	// Archive is the archive written (absolute).
	Archive string `json:"archive"`
	// Source and Checksum are what a plug config's entry gives to consume
	// it: a file:// URL of Archive, and "sha256:<hex>".
	Source   string `json:"source"`
	Checksum string `json:"checksum"`
	// Module is the module packed, from its go.mod.
	Module string `json:"module"`
	// Files are the names packed, relative to the module's root.
	Files []string `json:"files"`
	// Size is the archive's size in bytes.
	Size int64 `json:"size"`
	// Signature is Archive.sig when --sign wrote it, else "".
	Signature string `json:"signature,omitempty"`
	// SignedBy are the IDs of the keys of --sign.
	SignedBy []string `json:"signed_by"`
}

func packRun(ctx context.Context, o *packOptions) error {
	res := &packResult{Files: []string{}, SignedBy: []string{}}
	o.result = res
	out, err := packOutput(o.Dir, o.Output)
	if err != nil {
		return err
	}
	keys, err := loadSigners(o.Sign)
	if err != nil {
		return err
	}
	m, err := pack.Load(o.Dir)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if p, ok := k.CopyIn(m.Sums); ok {
			return fail.New(fail.Config, "%s holds a copy of the signing key %s: a signing key must never be packed; move it out of the module", filepath.Join(o.Dir, p), k.Path)
		}
	}
	a, err := writePack(ctx, m, out)
	if err != nil {
		return err
	}
	res.Archive, res.Checksum, res.Module, res.Files, res.Size = out, a.SHA256, m.Path, m.Files, a.Size
	res.Source = fileURL(out)
	sig := out + pack.SigSuffix
	r := o.reporter()
	r.Note(fmt.Sprintf("packed %s: %s, %d bytes", m.Path, plural(len(m.Files), "file", "files"), a.Size))
	if len(keys) > 0 {
		signers := make([]note.Signer, len(keys))
		for i, k := range keys {
			signers[i] = k
			res.SignedBy = append(res.SignedBy, k.ID())
		}
		data, err := pack.Sign(a.SHA256, m.Path, signers...)
		if err != nil {
			return err
		}
		if err := files.WriteFile(sig, data, 0o644); err != nil {
			return &fail.EnvError{Path: sig, Err: err}
		}
		res.Signature = sig
		r.Note(fmt.Sprintf("signed by %s: %s", strings.Join(res.SignedBy, ", "), o.Output+pack.SigSuffix))
	} else if removed, err := removeStaleSignature(sig, a.SHA256); err != nil {
		return err
	} else if removed {
		r.Note(fmt.Sprintf("removed %s: it signed the archive packed there before", o.Output+pack.SigSuffix))
	}
	if !o.json {
		fmt.Fprintf(o.ios.Out, "source: %s\nchecksum: %s\n", res.Source, res.Checksum)
	}
	return nil
}

// packOutput checks -o and returns it absolute: a .tar.gz or .tgz that is
// not a directory nor inside the module it packs, which would make it part
// of its own next pack.
func packOutput(dir, output string) (string, error) {
	if !strings.HasSuffix(output, ".tar.gz") && !strings.HasSuffix(output, ".tgz") {
		return "", usage(fmt.Errorf("-o %s: a pack is a .tar.gz (like greeter-v0.1.0.tar.gz), which an archive source reads", output))
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return "", usage(err)
	case !fi.IsDir():
		return "", usage(fmt.Errorf("%s is not a directory: give the plug module's root", dir))
	}
	out, err := filepath.Abs(output)
	if err != nil {
		return "", err
	}
	if fi, err := os.Lstat(out); err == nil && !fi.Mode().IsRegular() {
		return "", usage(fmt.Errorf("-o %s is not a regular file: pack replaces only an archive", output))
	}
	root, err := filepath.EvalSymlinks(dir)
	if err == nil {
		root, err = filepath.Abs(root)
	}
	if err != nil {
		return "", err
	}
	parent, err := filepath.EvalSymlinks(filepath.Dir(out))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", usage(fmt.Errorf("-o %s: the directory %s does not exist", output, filepath.Dir(output)))
		}
		return "", err
	}
	if rel, err := filepath.Rel(root, parent); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", usage(fmt.Errorf("-o %s is inside %s, the module it packs: the archive would be part of its next pack; write it outside", output, dir))
	}
	return out, nil
}

// writePack packs m into out through a temporary file beside it, so that
// out is the whole archive or what it was.
func writePack(ctx context.Context, m *pack.Module, out string) (*pack.Archive, error) {
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return nil, &fail.EnvError{Path: filepath.Dir(out), Err: err}
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	a, err := m.Write(ctx, f)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, out); err != nil {
		return nil, &fail.EnvError{Path: out, Err: err}
	}
	return a, nil
}

// removeStaleSignature removes sig when it is a pack signature over
// another archive than sum: packing again without --sign leaves no
// signature that no longer matches. It reports whether it removed one.
func removeStaleSignature(sig, sum string) (bool, error) {
	data, err := files.ReadFile(sig, pack.MaxSignature)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil || !pack.IsSignature(data) || strings.Contains(string(data), "\narchive "+sum+"\n") {
		return false, nil
	}
	if err := os.Remove(sig); err != nil {
		return false, &fail.EnvError{Path: sig, Err: err}
	}
	return true, nil
}

// fileURL is the file:// URL of the absolute path p, as an archive source
// names a local archive.
func fileURL(p string) string {
	p = filepath.ToSlash(p)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
