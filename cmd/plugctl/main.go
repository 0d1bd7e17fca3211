// Command plugctl turns a plug config into a custom binary. See README.md.
package main

import (
	"os"

	"github.com/plugctl/plugctl/internal/cli"
)

func main() { os.Exit(cli.Main()) }
