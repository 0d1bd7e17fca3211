package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/config"
)

// schemaOptions are the inputs of plugctl schema.
type schemaOptions struct {
	*globals
}

func newCmdSchema(g *globals, runF func(context.Context, *schemaOptions) error) *cobra.Command {
	o := &schemaOptions{globals: g}
	return withExits(&cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of plugconfig.yaml, for editors",
		Long: "schema prints the JSON Schema (draft 2020-12) of the plug config. Point your editor's\n" +
			"YAML support at it for completion and checking as you type; docs/config.md shows how.\n" +
			"The output is JSON already, so --json changes nothing.",
		Example:     "  plugctl schema > plugconfig.schema.json",
		Annotations: map[string]string{noJSONAnnotation: "prints a JSON Schema"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return schemaRun(cmd.Context(), o)
		},
	})
}

func schemaRun(_ context.Context, o *schemaOptions) error {
	_, err := o.ios.Out.Write(config.JSONSchema())
	return err
}
