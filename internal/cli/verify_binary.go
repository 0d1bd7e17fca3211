package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/inspect"
	"github.com/plugctl/plugctl/internal/provenance"
	"github.com/plugctl/plugctl/internal/signing"
	"github.com/plugctl/plugctl/internal/vendortree"
)

// verifyBinary checks the binary at o.Path against its provenance beside
// it (provenance.Check), signed by one of keys when there are.
func verifyBinary(o *verifyOptions, res *verifyResult, keys *signing.Keys) error {
	abs, err := filepath.Abs(o.Path)
	if err != nil {
		return err
	}
	res.Path, res.Kind = abs, "binary"
	sum, _, err := artifact.Hash(o.Path)
	if err != nil {
		return usage(err)
	}
	res.Checksum = "sha256:" + sum
	name := artifact.ProvenancePath(o.Path)
	res.Provenance = artifact.ProvenancePath(abs)
	data, err := files.ReadFile(name, provenance.MaxFile)
	if err != nil {
		return fail.New(fail.Mismatch, "%s has no provenance to check it against: %v (plugctl build writes %s beside each artifact)", o.Path, err, filepath.Base(name))
	}
	op, err := provenance.Open(data, keys)
	switch {
	case errors.Is(err, provenance.ErrBadSignature):
		return fail.New(fail.Mismatch, "%s: %v: the provenance was edited after it was signed", name, err)
	case err != nil:
		return fail.New(fail.Mismatch, "%s: not a provenance plugctl wrote: %v", name, err)
	}
	res.Signed = op.Signed
	res.SignedBy, res.Unverified = signedBy(op.Verified), signedBy(op.Unverified)
	if keys != nil && len(op.Verified) == 0 {
		if !op.Signed {
			return fail.New(fail.Mismatch, "%s is not signed (it has no signature), and --verify-key asks for a signature by %s", name, strings.Join(keys.IDs, ", "))
		}
		return fail.New(fail.Mismatch, "%s is signed by %s, not by a key given with --verify-key (%s)", name, strings.Join(op.Unverified, ", "), strings.Join(keys.IDs, ", "))
	}
	if got := op.Statement.Subject[0].Digest["sha256"]; got != sum {
		return fail.New(fail.Mismatch, "%s: the binary has sha256:%s, but its provenance describes sha256:%s: the binary changed after it was built", o.Path, sum, got)
	}
	rep, err := inspect.File(o.Path)
	if err != nil {
		return err
	}
	if bad := provenance.Check(op.Statement, sum, rep); len(bad) > 0 {
		return fail.New(fail.Mismatch, "%s does not agree with its provenance:\n  %s", o.Path, strings.Join(bad, "\n  "))
	}
	if !o.json {
		fmt.Fprintf(o.ios.Out, "%s\tverified: %s, provenance %s; %s\n", o.Path, res.Checksum, filepath.Base(name), signatureText(&vendortree.Signature{Present: op.Signed, Verified: op.Verified, Unverified: op.Unverified}, keys))
	}
	return nil
}
