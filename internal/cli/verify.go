package cli

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
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
}

func newCmdVerify(g *globals, runF func(context.Context, *verifyOptions) error) *cobra.Command {
	o := &verifyOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "verify [DIR|BUNDLE] [--verify-key FILE.pub]...",
		Short: "Check a vendor tree or a bundle, and who signed it, without building",
		Long: `verify checks what build --offline and build --bundle would check, and builds nothing:
every file of a vendor tree against its manifest, a bundle against its checksum file
first, and with --verify-key (repeatable; any one must match) that the tree carries a
signature by one of the keys over its manifest and lock. Without an argument it checks
the project's vendor tree, and also that it was made from the config and lock; a DIR is
checked on its own. Exit 3 for anything edited, unsigned or signed by another key.`,
		Example: `  plugctl verify --verify-key release.key.pub
  plugctl verify site.tar.gz --verify-key release.key.pub
  plugctl verify path/to/vendor`,
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
	_ = cmd.MarkFlagFilename("verify-key", "pub")
	return withExits(cmd, fail.Config, fail.Mismatch)
}

// verifyResult is the --json document of verify (docs/json.md).
type verifyResult struct {
	envelope
	// Path is what was verified (absolute).
	Path string `json:"path"`
	// Kind is "tree" or "bundle".
	Kind string `json:"kind"`
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
	default:
		opts.Tree, steps = o.Path, pipeline.VerifyTreeSteps
		res.Path, res.Kind = o.Path, "tree"
	}
	s := pipeline.New(o.reporter(), opts)
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
// directory) or "bundle" (a gzip file); anything else is a usage error.
// Binaries are for a later plugctl verify.
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
	if string(magic) == "\x1f\x8b" {
		return "bundle", nil
	}
	return "", usage(fmt.Errorf("%s is neither a vendor tree (a directory) nor a bundle (a .tar.gz plugctl bundle wrote)", path))
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
