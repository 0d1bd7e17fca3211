package pipeline

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/vendortree"
)

// embedded returns the files of build.embed's directory, read once per
// run through files.ReadTree (an os.Root on the directory, within the
// fetch limits) and checked by codegen.EmbedFiles; nil when the config
// sets none. A directory that cannot be embedded is a problem at
// build.embed's position (exit 2).
func (s *State) embedded() ([]codegen.File, error) {
	b := s.Config.Build
	if b.Embed == "" || s.embedFiles != nil {
		return s.embedFiles, nil
	}
	problem := func(msg string) error {
		return fail.Wrap(fail.Config, &diag.Problem{File: s.Config.File, Pos: b.EmbedPos, Msg: fmt.Sprintf("build.embed %s: %s", diag.Quote(b.Embed), msg)})
	}
	dir := s.abs(b.Embed)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, problem("no such directory")
	case err != nil:
		return nil, problem(err.Error())
	case !fi.IsDir():
		return nil, problem("is not a directory")
	}
	tree, err := files.ReadTree(dir, s.Limits.Tree())
	if err != nil {
		var te *files.TreeError
		if errors.As(err, &te) {
			return nil, problem(te.Msg)
		}
		return nil, problem(err.Error())
	}
	out, err := codegen.EmbedFiles(tree)
	if err != nil {
		return nil, problem(err.Error())
	}
	s.embedFiles = out
	return out, nil
}

// embedInputs is the digest of what build.embed feeds the binary: the
// files in the project, or offline those the vendor tree holds.
func (s *State) embedInputs() (string, error) {
	if s.Config.Build.Embed == "" {
		return "", nil
	}
	sums := map[string]string{}
	if s.Offline {
		if s.Tree == nil {
			return "", nil
		}
		for _, f := range treeEmbedded(s.Tree.Manifest) {
			sums[strings.TrimPrefix(f.Path, codegen.EmbedDir+"/")] = f.SHA256
		}
		return codegen.EmbedDigest(sums), nil
	}
	fs, err := s.embedded()
	if err != nil {
		return "", err
	}
	for _, f := range fs {
		sums[f.Name] = sha256hex(f.Data)
	}
	return codegen.EmbedDigest(sums), nil
}

// treeEmbedded lists the embedded files a vendor manifest holds.
func treeEmbedded(m *vendortree.Manifest) []vendortree.File {
	var out []vendortree.File
	for _, f := range m.Files {
		if codegen.IsEmbedded(f.Path) {
			out = append(out, f)
		}
	}
	return out
}
