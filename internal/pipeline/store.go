package pipeline

import (
	"errors"
	"maps"
	"os"
	"path/filepath"

	"github.com/plugctl/plugctl/internal/artifact"
	"github.com/plugctl/plugctl/internal/build"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/platform"
	"github.com/plugctl/plugctl/internal/store"
)

// artifactStore opens the store Options.Store names, once; nil when it
// names none.
func (s *State) artifactStore() (*store.Store, error) {
	if s.Opts.Store == "" {
		return nil, nil
	}
	if s.store == nil {
		st, err := store.Open(s.Opts.Store)
		if err != nil {
			return nil, &fail.EnvError{Path: s.Opts.Store, Err: errors.Unwrap(err)}
		}
		s.store = st
	}
	return s.store, nil
}

// fromStore makes the artifact of t at path from the store's entry of
// digest — when gen is set, only from one built from that build module —
// and reports whether it did. The entry's binary is copied beside path
// and hashed as it is copied (store.Get); a damaged entry is said and
// left for the build to replace, never used. path is claimed as compile
// claims it, and the files beside it written as record writes them.
func (s *State) fromStore(t platform.Target, path, digest string, gen map[string]string) (*Artifact, bool, error) {
	st, err := s.artifactStore()
	if st == nil || err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, false, &fail.EnvError{Path: filepath.Dir(path), Err: err}
	}
	tmpDir, err := os.MkdirTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, false, &fail.EnvError{Path: filepath.Dir(path), Err: err}
	}
	defer os.RemoveAll(tmpDir)
	tmp := filepath.Join(tmpDir, filepath.Base(path))
	e, err := st.Get(digest, t.String(), tmp)
	switch {
	case errors.Is(err, store.ErrMiss):
		return nil, false, nil
	case err != nil:
		s.R.Note(err.Error() + "; building " + t.String())
		return nil, false, nil
	case gen != nil && !maps.Equal(e.Record.Generated, gen):
		return nil, false, nil
	}
	if err := s.claim()(path, t); err != nil {
		return nil, false, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, false, &fail.EnvError{Path: path, Err: err}
	}
	if err := artifact.Write(path, e.Record, e.Sides, s.statDir()); err != nil {
		return nil, false, err
	}
	s.R.Note("copied " + display(path) + " from the store " + display(st.Dir()) + " (its inputs were built before)")
	return &Artifact{Artifact: build.Artifact{Target: t, Path: path}, SHA256: e.Record.SHA256, Size: e.Record.Size, Reused: true, FromStore: true}, true, nil
}

// toStore puts a freshly built artifact into the store, when there is
// one. The store is a cache: a failure to write it is said, and the build
// goes on.
func (s *State) toStore(path string, rec *artifact.Record, docs artifact.Sides) {
	st, err := s.artifactStore()
	if err == nil && st != nil {
		err = st.Put(path, rec, docs)
	}
	if err != nil {
		s.R.Note("not stored: " + err.Error())
	}
}
