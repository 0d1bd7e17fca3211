package pipeline

import (
	"github.com/plugctl/plugctl/internal/fetch"
	"github.com/plugctl/plugctl/internal/manifest"
	"github.com/plugctl/plugctl/internal/modhash"
)

// fetcher returns the fetcher of git and archive sources: the project's
// reporter and limits; the trees it fetches keep their manifest's bytes.
func (p *Project) fetcher() *fetch.Fetcher {
	return &fetch.Fetcher{R: p.R, Limits: p.Limits, Keep: p.hashCache().Keep()}
}

// hashCache returns the cache of the Sums of the directories this run
// reads: every step that needs a tree's hashes or its manifest gets them
// from one read of it.
func (p *Project) hashCache() *modhash.Cache {
	if p.hashes == nil {
		p.hashes = modhash.NewCache(manifest.FileName)
	}
	return p.hashes
}
