package vendortree

import (
	"path"
	"strings"
	"testing"
)

// FuzzDecode checks that Decode never accepts a manifest naming a path that
// is not clean, relative and inside the tree, or files out of order.
func FuzzDecode(f *testing.F) {
	sum := strings.Repeat("0", 64)
	f.Add(`{"schema":1,"files":[{"path":"go.mod","size":1,"sha256":"` + sum + `"}]}`)
	f.Add(`{"schema":1,"files":[{"path":"../x","size":1,"sha256":"` + sum + `"}]}`)
	f.Add(`{"schema":1,"files":[{"path":"b","size":1,"sha256":"` + sum + `"},{"path":"a","size":1,"sha256":"` + sum + `"}]}`)
	f.Add(`{"schema":1,"core":{"name":"core","origin":{"kind":"local"}},"files":[]}`)
	f.Fuzz(func(t *testing.T, data string) {
		m, err := Decode([]byte(data))
		if err != nil {
			return
		}
		for i, fl := range m.Files {
			if fl.Path == "" || path.IsAbs(fl.Path) || path.Clean(fl.Path) != fl.Path || fl.Path == ".." || strings.HasPrefix(fl.Path, "../") || fl.Path == ManifestName {
				t.Errorf("accepted path %q", fl.Path)
			}
			if i > 0 && m.Files[i-1].Path >= fl.Path {
				t.Errorf("accepted %q after %q", fl.Path, m.Files[i-1].Path)
			}
		}
	})
}
