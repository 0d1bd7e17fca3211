package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/signing"
)

// newCmdKey is the parent of the signing key commands: key generate and
// key export-pem.
func newCmdKey(generate, exportPEM *cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key generate|export-pem",
		Short: "Make the Ed25519 keys that sign vendor trees and bundles",
		Long: `key generate writes a signing key and its verifier key. plugctl vendor --sign and
plugctl bundle --sign sign with the first; plugctl build --offline|--bundle --verify-key
and plugctl verify --verify-key check with the second (SECURITY.md). key export-pem
writes a verifier key as a PEM public key, for tools such as cosign.`,
		Example: `  plugctl key generate -o release.key
  plugctl key export-pem release.key.pub -o release.pem`,
		Args: cobra.ArbitraryArgs,
		RunE: parentRun("unknown key command %q", "generate", "export-pem"),
	}
	cmd.AddCommand(generate, exportPEM)
	return withExits(cmd, fail.Config)
}

// keyGenerateOptions are the inputs of plugctl key generate.
type keyGenerateOptions struct {
	*globals
	// Output is the signing key's file; the verifier key goes to
	// Output.pub.
	Output string
	// Name names the key in signatures; default: Output's base name
	// without its extension.
	Name string
}

func newCmdKeyGenerate(g *globals, runF func(context.Context, *keyGenerateOptions) error) *cobra.Command {
	o := &keyGenerateOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "generate -o FILE [--name NAME]",
		Short: "Write a new signing key (FILE, mode 0600) and its verifier key (FILE.pub)",
		Long: `generate writes a new Ed25519 key pair in the signed-note format of the Go checksum
database (golang.org/x/mod/sumdb/note): the signing key to FILE, readable by you alone,
and the verifier key to FILE.pub, which you hand to whoever builds from your trees and
bundles. Neither file is ever replaced. The signing key is never printed; keep it out
of the project directory, since plugctl refuses to sign a tree that holds a copy of it.`,
		Example: `  plugctl key generate -o ~/.config/plugctl/release.key
  plugctl vendor --sign ~/.config/plugctl/release.key
  plugctl build --offline --verify-key release.key.pub`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return keyGenerateRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "the signing key's file; the verifier key goes to FILE.pub (required)")
	cmd.Flags().StringVar(&o.Name, "name", "", "the key's name in signatures (default: FILE's base name without extension)")
	_ = cmd.MarkFlagRequired("output")
	_ = cmd.MarkFlagFilename("output")
	return withExits(cmd, fail.Config)
}

// keyGenerateResult is the --json document of key generate (docs/json.md).
type keyGenerateResult struct {
	envelope
	// Key and PublicKey are the files written (absolute).
	Key       string `json:"key"`
	PublicKey string `json:"public_key"`
	// ID is the key's name and hash, as signatures name it.
	ID string `json:"id"`
	// Verifier is the verifier key itself (the content of PublicKey).
	Verifier string `json:"verifier"`
}

func keyGenerateRun(_ context.Context, o *keyGenerateOptions) error {
	res := &keyGenerateResult{}
	o.result = res
	name := o.Name
	if name == "" {
		base := filepath.Base(o.Output)
		name = strings.TrimSuffix(base, filepath.Ext(base))
		if signing.CheckName(name) != nil {
			return usage(fmt.Errorf("-o %s: its base name %q cannot name a key; give --name", o.Output, name))
		}
	}
	if err := signing.CheckName(name); err != nil {
		return usage(fmt.Errorf("--name: %w", err))
	}
	id, vkey, err := signing.Generate(o.Output, name)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(o.Output)
	if err != nil {
		return err
	}
	res.Key, res.PublicKey, res.ID, res.Verifier = abs, abs+signing.PubSuffix, id, vkey
	if !o.json {
		fmt.Fprintf(o.ios.Out, "%s\tsigning key (keep it private)\n%s\tverifier key %s\n", o.Output, o.Output+signing.PubSuffix, id)
	}
	return nil
}

// loadSigners reads the signing keys of --sign, before any work is done.
func loadSigners(paths []string) ([]*signing.Key, error) {
	var keys []*signing.Key
	for _, p := range paths {
		k, err := signing.LoadKey(p)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// loadVerifiers reads the verifier keys of --verify-key; nil for none.
func loadVerifiers(paths []string) (*signing.Keys, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	return signing.LoadKeys(paths)
}

// signedBy lists key IDs for --json: never null.
func signedBy(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// keyExportPEMOptions are the inputs of plugctl key export-pem.
type keyExportPEMOptions struct {
	*globals
	// Key is the verifier key (FILE.pub) to export.
	Key string
	// Output is where the PEM goes; stdout when empty.
	Output string
}

func newCmdKeyExportPEM(g *globals, runF func(context.Context, *keyExportPEMOptions) error) *cobra.Command {
	o := &keyExportPEMOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "export-pem FILE.pub [-o FILE]",
		Short: "Write a verifier key as a PEM public key (PKIX), for cosign and other tools",
		Long: `export-pem writes the Ed25519 public key of a verifier key (FILE.pub, from plugctl key
generate) as a PEM "PUBLIC KEY" block (PKIX), the form cosign verify-blob-attestation
--key reads: see docs/supply-chain.md. It reads only the verifier key; a signing key is
refused.`,
		Example: `  plugctl key export-pem release.key.pub -o release.pem`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Key = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return keyExportPEMRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "the PEM file to write (default: stdout)")
	_ = cmd.MarkFlagFilename("output")
	return withExits(cmd, fail.Config)
}

// keyExportPEMResult is the --json document of key export-pem (docs/json.md).
type keyExportPEMResult struct {
	envelope
	// ID is the key's name and hash; PEM the PEM block; Output the file
	// written (absolute), "" for stdout.
	ID     string `json:"id"`
	PEM    string `json:"pem"`
	Output string `json:"output,omitempty"`
}

func keyExportPEMRun(_ context.Context, o *keyExportPEMOptions) error {
	res := &keyExportPEMResult{}
	o.result = res
	id, data, err := signing.PublicPEM(o.Key)
	if err != nil {
		return err
	}
	res.ID, res.PEM = id, string(data)
	if o.Output != "" {
		if err := files.WriteFile(o.Output, data, 0o644); err != nil {
			return &fail.EnvError{Path: o.Output, Err: err}
		}
		if res.Output, err = filepath.Abs(o.Output); err != nil {
			return err
		}
	}
	if !o.json {
		if o.Output == "" {
			o.ios.Out.Write(data)
		} else {
			fmt.Fprintf(o.ios.Out, "%s\tPEM public key of %s\n", o.Output, id)
		}
	}
	return nil
}
