package pipeline

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/plugctl/plugctl/internal/config"
	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/digest"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
	"github.com/plugctl/plugctl/internal/redact"
)

// redactedConfig returns the text of the project's config with the
// credentials of every source URL replaced by REDACTED, for a copy that
// leaves the machine (a bundle): a site that builds from the vendor tree
// never fetches, and must not receive the CI's tokens. Everything else —
// comments, layout, settings, even a URL with credentials inside a setting
// — is left byte for byte, and the result is parsed again to prove it: the
// same config but for the sources' credentials. A source written with YAML
// escapes, which cannot be found as written, is an error rather than a
// secret shipped.
func (s *State) redactedConfig() ([]byte, error) {
	data, err := files.ReadFile(s.Config.File, config.MaxFileSize)
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("reading config: %w", err))
	}
	text := string(data)
	sources := []string{s.Config.Core.Source}
	for _, pl := range s.Config.Plugins {
		sources = append(sources, pl.Source)
	}
	var secret []string
	for _, src := range sources {
		if r := redact.String(src); r != src {
			text = strings.ReplaceAll(text, src, r)
			secret = append(secret, src)
		}
	}
	if len(secret) == 0 {
		return data, nil
	}
	cfg, err := config.Parse(s.Config.File, []byte(text), s.Config.Dir)
	same := err == nil && digest.Vendor(cfg) == digest.Vendor(s.Config) &&
		reflect.DeepEqual(cfg.Build, s.Config.Build) && cfg.Vendor == s.Config.Vendor
	for _, sec := range secret {
		same = same && !strings.Contains(text, sec)
	}
	if err == nil {
		for i, pl := range cfg.Plugins {
			same = same && pl.Source == redact.String(s.Config.Plugins[i].Source)
		}
		same = same && cfg.Core.Source == redact.String(s.Config.Core.Source)
	}
	if !same {
		return nil, fail.Wrap(fail.Config, &diag.Problem{File: s.Config.File, Msg: "cannot remove the credentials of its source URLs for a copy that leaves this machine (write each URL as plain text, without YAML escapes)"})
	}
	return []byte(text), nil
}
