package artifact

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Recorded returns the artifacts whose file identities statDir holds (see
// Write), sorted: the artifacts a project's builds wrote, wherever -o put
// them, as long as its state directory was kept.
func Recorded(statDir string) ([]string, error) {
	entries, err := os.ReadDir(statDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), "stat-") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(statDir, e.Name()))
		if err != nil {
			continue
		}
		var sr statRecord
		if json.Unmarshal(data, &sr) == nil && filepath.IsAbs(sr.Path) {
			out = append(out, sr.Path)
		}
	}
	sort.Strings(out)
	return out, nil
}

// ErrNotArtifact is returned by Remove for a file that is not, or is no
// longer, the artifact its Record describes.
var ErrNotArtifact = errors.New("not the artifact plugctl recorded there")

// Remove removes the artifact at path and its sidecar files, only when its
// Record is there and the file still hashes to what the Record says: a
// file put there since, or edited, is left alone (ErrNotArtifact). It
// returns the files removed. With dryRun it removes nothing and returns
// what it would remove.
func Remove(path string, dryRun bool) ([]string, error) {
	data, err := os.ReadFile(RecordPath(path))
	if err != nil {
		return nil, ErrNotArtifact
	}
	var rec Record
	if json.Unmarshal(data, &rec) != nil || rec.Schema != RecordSchema {
		return nil, ErrNotArtifact
	}
	if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
		return nil, ErrNotArtifact
	}
	if sum, size, err := Hash(path); err != nil || sum != rec.SHA256 || size != rec.Size {
		return nil, ErrNotArtifact
	}
	var removed []string
	// The binary first, the files that describe it after: a run stopped
	// half-way leaves at worst a description of nothing.
	for _, p := range append(append([]string{path}, sidePaths(path)...), RecordPath(path)) {
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		if !dryRun {
			if err := os.Remove(p); err != nil {
				return removed, err
			}
		}
		removed = append(removed, p)
	}
	return removed, nil
}
