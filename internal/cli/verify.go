package cli

import (
	"bufio"
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/pack"
	"github.com/plugctl/plugctl/internal/pipeline"
	"github.com/plugctl/plugctl/internal/signing"
	"github.com/plugctl/plugctl/internal/vendortree"
)

// verifyOptions are the inputs of plugctl verify.
type verifyOptions struct {
	*globals
	// Path is a vendor tree or a bundle; empty for the project's vendor
	// tree (the config's vendor key).
	Path string
	// VerifyKeys are verifier keys (FILE.pub): what is verified must be
	// signed by one of them. Repeatable.
	VerifyKeys []string
	// Rebuild rebuilds the binary Path from its config and lock and
	// compares the bytes (verify_rebuild.go).
	Rebuild bool
}

func newCmdVerify(g *globals, runF func(context.Context, *verifyOptions) error) *cobra.Command {
	o := &verifyOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "verify [DIR|BUNDLE|PACK|BINARY] [--verify-key FILE.pub]... | verify --rebuild BINARY [-f FILE]",
		Short: "Check a vendor tree, a bundle, a packed plug or a binary, and who signed it, without building",
		Long: `verify checks what build --offline and build --bundle would check, and builds nothing:
every file of a vendor tree against its manifest, a bundle against its checksum file
first, and with --verify-key (repeatable; any one must match) that the tree carries a
signature by one of the keys over its manifest and lock. Without an argument it checks
the project's vendor tree, and also that it was made from the config and lock; a DIR is
checked on its own. A packed plug (plugctl pack) with its signature PACK.sig beside it is
checked against that signature: its SHA-256 and module, and who signed them. A binary
plugctl built is checked against its provenance beside it (BINARY.intoto.jsonl): who
signed it, that its subject is the binary's SHA-256, and that the build description
the binary embeds (name, target, toolchain, core, plugs, modules) agrees with it. Exit 3
for anything edited, unsigned or signed by another key.

--rebuild BINARY rebuilds the binary from its config and lock — the plugconfig.yaml
found in the binary's directory or above it, or -f FILE — for the binary's target,
into a temporary directory, with --locked, and compares the bytes: exit 0 when they
are identical, 3 naming the first section that differs otherwise. It is the witness
of a reproducible build a reviewer runs.`,
		Example: `  plugctl verify --verify-key release.key.pub
  plugctl verify site.tar.gz --verify-key release.key.pub
  plugctl verify path/to/vendor
  plugctl verify greeter-v0.1.0.tar.gz --verify-key release.key.pub
  plugctl verify dist/app_linux_amd64 --verify-key release.key.pub
  plugctl verify --rebuild dist/app_linux_amd64`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Path = args[0]
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return verifyRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringArrayVar(&o.VerifyKeys, "verify-key", nil, "require a signature by this verifier key (FILE.pub), repeatable: any one")
	cmd.Flags().BoolVar(&o.Rebuild, "rebuild", false, "rebuild BINARY from its config and lock and compare the bytes")
	_ = cmd.MarkFlagFilename("verify-key", "pub")
	return withExits(cmd, fail.Config, fail.Mismatch, fail.Policy, fail.Fetch, fail.Compile)
}

// verifyResult is the --json document of verify (docs/json.md).
type verifyResult struct {
	envelope
	// Path is what was verified (absolute).
	Path string `json:"path"`
	// Kind is "tree", "bundle", "pack" or "binary".
	Kind string `json:"kind"`
	// Checksum and Module are a pack's SHA-256 ("sha256:<hex>") and the
	// module its signature names (a binary's SHA-256, no module); absent
	// for a tree or a bundle, whose manifest the fields below describe (0
	// and "" for a pack or a binary).
	Checksum string `json:"checksum,omitempty"`
	Module   string `json:"module,omitempty"`
	// Provenance is the binary's provenance file (absolute), for a binary.
	Provenance string `json:"provenance,omitempty"`
	// Rebuilt describes verify --rebuild: the config rebuilt from and
	// the rebuilt binary's SHA-256.
	Rebuilt *rebuiltResult `json:"rebuilt,omitempty"`
	// Files is the number of files the manifest lists.
	Files int `json:"files"`
	// ManifestSHA256 is the SHA-256 of the tree's manifest.
	ManifestSHA256 string `json:"manifest_sha256"`
	// Lock is the digest of the lock the tree was made with, "" for none.
	Lock string `json:"lock"`
	// Signed is set when the tree carries a signature file.
	Signed bool `json:"signed"`
	// SignedBy are the keys of --verify-key whose signature verified;
	// Unverified the other signatures' keys, not checked.
	SignedBy   []string `json:"signed_by"`
	Unverified []string `json:"unverified"`
}

func verifyRun(ctx context.Context, o *verifyOptions) error {
	res := &verifyResult{SignedBy: []string{}, Unverified: []string{}}
	o.result = res
	if o.Rebuild {
		return verifyRebuild(ctx, o, res)
	}
	keys, err := loadVerifiers(o.VerifyKeys)
	if err != nil {
		return err
	}
	opts := pipeline.Options{VerifyKeys: keys}
	var steps []pipeline.Step
	switch kind, err := verifyKind(o.Path); {
	case err != nil:
		return err
	case kind == "project":
		if err := o.findConfig(); err != nil {
			return err
		}
		opts.File, steps = o.file, pipeline.VerifySteps
		res.Kind = "tree"
	case kind == "bundle":
		opts.Bundle, steps = o.Path, pipeline.VerifyBundleSteps
		res.Path, res.Kind = o.Path, "bundle"
	case kind == "pack":
		return verifyPack(o, res, keys)
	case kind == "binary":
		return verifyBinary(o, res, keys)
	default:
		opts.Tree, steps = o.Path, pipeline.VerifyTreeSteps
		res.Path, res.Kind = o.Path, "tree"
	}
	s := o.newState(opts)
	defer s.Close()
	if err := pipeline.Run(ctx, s, steps); err != nil {
		if res.Path == "" && s.Config != nil {
			res.Path = s.VendorDir()
		}
		return err
	}
	vt := s.Tree
	if res.Path == "" {
		res.Path = vt.Dir
	}
	if abs, err := filepath.Abs(res.Path); err == nil {
		res.Path = abs
	}
	sum := sha256.Sum256(vt.Data)
	res.Files, res.ManifestSHA256, res.Lock = len(vt.Manifest.Files), hex.EncodeToString(sum[:]), vt.Manifest.Lock
	res.Signed = vt.Signature.Present
	res.SignedBy, res.Unverified = signedBy(vt.Signature.Verified), signedBy(vt.Signature.Unverified)
	if !o.json {
		shown := o.Path
		if shown == "" {
			shown = vt.Dir
		}
		fmt.Fprintf(o.ios.Out, "%s\tverified: %d files, manifest sha256:%s; %s\n", shown, res.Files, res.ManifestSHA256, signatureText(vt.Signature, keys))
	}
	return nil
}

// verifyKind says what path is: "project" (none given), "tree" (a
// directory), "bundle" (a gzip file), "pack" (one with its signature
// beside it) or "binary" (a Go binary); anything else is a usage error.
func verifyKind(path string) (string, error) {
	if path == "" {
		return "project", nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", usage(err)
	}
	if fi.IsDir() {
		return "tree", nil
	}
	f, err := files.OpenRegular(path)
	if err != nil {
		return "", usage(err)
	}
	defer f.Close()
	magic, _ := bufio.NewReader(f).Peek(2)
	if string(magic) != "\x1f\x8b" {
		if _, err := buildinfo.ReadFile(path); err == nil {
			return "binary", nil
		}
		return "", usage(fmt.Errorf("%s is neither a vendor tree (a directory), a bundle or a pack (a .tar.gz plugctl bundle or plugctl pack wrote), nor a Go binary", path))
	}
	if sig, err := files.ReadFile(path+pack.SigSuffix, pack.MaxSignature); err == nil && pack.IsSignature(sig) {
		return "pack", nil
	}
	return "bundle", nil
}

// verifyPack checks the packed plug at o.Path against its signature beside
// it, signed by one of keys when there are.
func verifyPack(o *verifyOptions, res *verifyResult, keys *signing.Keys) error {
	abs, err := filepath.Abs(o.Path)
	if err != nil {
		return err
	}
	res.Path, res.Kind = abs, "pack"
	f, err := files.OpenRegular(o.Path)
	if err != nil {
		return usage(err)
	}
	h := sha256.New()
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		return err
	}
	res.Checksum = "sha256:" + hex.EncodeToString(h.Sum(nil))
	name := o.Path + pack.SigSuffix
	data, err := files.ReadFile(name, pack.MaxSignature)
	if err != nil {
		return fail.Wrap(fail.Mismatch, err)
	}
	sig, err := pack.CheckSignature(name, data, res.Checksum, keys)
	if err != nil {
		return err
	}
	res.Module, res.Signed = sig.Module, true
	res.SignedBy, res.Unverified = signedBy(sig.Verified), signedBy(sig.Unverified)
	if !o.json {
		fmt.Fprintf(o.ios.Out, "%s	verified: %s, module %s; %s\n", o.Path, res.Checksum, res.Module, signatureText(&vendortree.Signature{Present: true, Verified: sig.Verified, Unverified: sig.Unverified}, keys))
	}
	return nil
}

// signatureText says who signed a verified tree, for the result line.
func signatureText(s *vendortree.Signature, keys *signing.Keys) string {
	switch {
	case len(s.Verified) > 0:
		return "signed by " + strings.Join(s.Verified, ", ")
	case !s.Present:
		return "not signed"
	case keys == nil:
		return "signed by " + strings.Join(s.Unverified, ", ") + " (not checked: give --verify-key)"
	}
	return "signature not checked"
}
