// Command man writes plugctl's man pages, one per command (section 1), with
// cobra's doc generator: `make man` (or `go run . DIR` here).
//
// It is a module of its own so that cobra/doc's dependencies (go-md2man,
// blackfriday, and go.yaml.in/yaml/v3 for cobra's YAML docs) stay out of
// plugctl's go.mod and binary.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra/doc"

	"github.com/plugctl/plugctl/internal/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: man DIR")
		os.Exit(2)
	}
	if err := write(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "man:", err)
		os.Exit(1)
	}
}

// write writes the man pages into dir, made if needed. The date in them is
// SOURCE_DATE_EPOCH's when it is set, as reproducible builds want.
func write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root := cli.Command()
	root.DisableAutoGenTag = true // no generation date at the end of every page
	header := &doc.GenManHeader{
		Title:   "PLUGCTL",
		Section: "1",
		Source:  "plugctl " + cli.Version(),
		Manual:  "plugctl manual",
	}
	return doc.GenManTree(root, header, dir)
}
