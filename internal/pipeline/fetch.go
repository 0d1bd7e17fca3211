package pipeline

import "github.com/plugctl/plugctl/internal/fetch"

// fetcher returns the fetcher of git and archive sources: the project's
// reporter and limits.
func (p *Project) fetcher() *fetch.Fetcher {
	return &fetch.Fetcher{R: p.R, Limits: p.Limits}
}
