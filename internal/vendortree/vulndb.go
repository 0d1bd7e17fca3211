package vendortree

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/plugctl/plugctl/internal/fail"
)

// CopyVulnDB copies into dst (which must not exist) the vulnerability
// database in the directory src, in the layout govulncheck reads from a
// directory: index/db.json, index/modules.json and ID/<ID>.json. Only
// those files are copied, as regular files: the tree carries a database,
// not whatever else the directory holds. A directory without
// index/modules.json and index/db.json is not a database (exit 2).
func CopyVulnDB(src, dst string) (files int, err error) {
	for _, name := range []string{"index/db.json", "index/modules.json"} {
		fi, err := os.Stat(filepath.Join(src, filepath.FromSlash(name)))
		if err != nil || !fi.Mode().IsRegular() {
			return 0, fail.New(fail.Config, "%s is not a vulnerability database: it has no %s (the layout is index/db.json, index/modules.json, ID/<ID>.json)", src, name)
		}
	}
	ids, err := os.ReadDir(filepath.Join(src, "ID"))
	if err != nil && !os.IsNotExist(err) {
		return 0, fmt.Errorf("reading the vulnerability database %s: %w", src, err)
	}
	names := []string{"index/db.json", "index/modules.json"}
	for _, e := range ids {
		if strings.HasSuffix(e.Name(), ".json") && e.Type()&fs.ModeType == 0 {
			names = append(names, "ID/"+e.Name())
		}
	}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(name)))
		if err != nil {
			return 0, fmt.Errorf("copying the vulnerability database: %w", err)
		}
		target := filepath.Join(dst, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return 0, err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return 0, err
		}
	}
	return len(names), nil
}
