package inspect

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/testenv"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	f    *os.File
	read atomic.Int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.f.ReadAt(p, off)
	c.read.Add(int64(n))
	return n, err
}

// TestReadOnlyWhatItNeeds builds a small Go program holding a build
// description, as plugctl's generated module does, for each executable
// format, and inspects it through a reader that counts the bytes read:
// inspect finds the description and reads a small part of the file (the
// headers, the build information, the read-only data up to the
// description), never all of it.
func TestReadOnlyWhatItNeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Go programs")
	}
	dir := t.TempDir()
	d := codegen.Data{Name: "tiny", Plugs: []codegen.Plug{{Name: "greeter", Module: "example.com/greeter", Version: "v1.2.3"}}}
	files := map[string]string{
		"go.mod":         "module example.com/tiny\n\ngo 1.22\n",
		"main.go":        "package main\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n)\n\nfunc main() { fmt.Println(http.StatusOK) }\n",
		codegen.InfoFile: string(codegen.InfoSource(codegen.Describe(d, codegen.InfoModule{Module: "example.com/core", Version: "v1.0.0"}, ""))),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, target := range []struct{ goos, goarch string }{{"linux", "amd64"}, {"windows", "amd64"}, {"darwin", "arm64"}} {
		t.Run(target.goos, func(t *testing.T) {
			bin := filepath.Join(dir, "tiny-"+target.goos)
			cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOOS="+target.goos, "GOARCH="+target.goarch, "CGO_ENABLED=0",
				"GOFLAGS=", "GOWORK=off", "GOTOOLCHAIN=local", "GOPROXY=off", "GOCACHE="+testenv.GoCache(t))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			f, err := os.Open(bin)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			c := &countingReader{f: f}
			r, err := Read(bin, c, fi.Size())
			if err != nil {
				t.Fatal(err)
			}
			if r.Name != "tiny" || len(r.Plugs) != 1 || r.Plugs[0].Module != "example.com/greeter" || r.Target != target.goos+"/"+target.goarch {
				t.Errorf("report: name %q, plugs %+v, target %q", r.Name, r.Plugs, r.Target)
			}
			// The read-only data is about a quarter of a Go binary; all of
			// it plus the headers and build information stays well under
			// half the file.
			if got := c.read.Load(); got > fi.Size()/2 {
				t.Errorf("read %d bytes of a %d-byte binary, want at most half", got, fi.Size())
			} else {
				t.Logf("read %d bytes of %d (%.1f%%)", got, fi.Size(), 100*float64(got)/float64(fi.Size()))
			}
		})
	}
}
