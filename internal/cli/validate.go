package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/pipeline"
)

// validateOptions are the inputs of plugctl validate.
type validateOptions struct {
	*globals
}

func newCmdValidate(g *globals, runF func(context.Context, *validateOptions) error) *cobra.Command {
	o := &validateOptions{globals: g}
	return &cobra.Command{
		Use:   "validate",
		Short: "Check the config and the plugs' manifests, listing every problem",
		Long: "validate checks the config and every plug's source and manifest without compiling\n" +
			"anything, and lists every problem it finds. It exits 2 if there are any.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return validateRun(cmd.Context(), o)
		},
	}
}

// validateResult is the --json output of validate.
type validateResult struct {
	Valid    bool      `json:"valid"`
	Problems []problem `json:"problems"`
}

type problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Plug    string `json:"plug,omitempty"`
	Message string `json:"message"`
}

func validateRun(ctx context.Context, o *validateOptions) error {
	r := o.reporter()
	p, err := pipeline.Load(ctx, r, o.file)
	if err == nil {
		err = p.Resolve(ctx)
	}
	if o.json {
		res := validateResult{Valid: err == nil, Problems: []problem{}}
		var errs config.Errors
		switch {
		case errors.As(err, &errs):
			for _, e := range errs {
				res.Problems = append(res.Problems, problem{e.File, e.Pos.Line, e.Pos.Col, e.Plug, e.Msg})
			}
		case err != nil:
			res.Problems = append(res.Problems, problem{File: o.file, Message: err.Error()})
		}
		if jerr := o.printJSON(res); jerr != nil {
			return jerr
		}
		return err
	}
	if err != nil {
		return err
	}
	if !o.quiet {
		fmt.Fprintf(o.ios.Out, "%s: ok (core %s, %d plugs enabled)\n", o.file, p.Set.Core.Module, len(p.Set.Plugs))
	}
	return nil
}
