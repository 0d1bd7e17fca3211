package winres_test

import (
	"bytes"
	"debug/pe"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/plugctl/plugctl/internal/winres"
)

func TestNumeric(t *testing.T) {
	for _, c := range []struct {
		in     string
		ms, ls uint32
	}{
		{"v1.2.3", 1<<16 | 2, 3 << 16},
		{"2.11.9-rc.1", 2<<16 | 11, 9 << 16},
		{"v1.2.3.4+meta", 1<<16 | 2, 3<<16 | 4},
		{"v1.x.3", 1 << 16, 0},
		{"v70000.1", 0, 0},
		{"", 0, 0},
	} {
		ms, ls := winres.Numeric(c.in)
		if ms != c.ms || ls != c.ls {
			t.Errorf("Numeric(%q) = %#x, %#x; want %#x, %#x", c.in, ms, ls, c.ms, c.ls)
		}
	}
}

func TestObjectDeterministic(t *testing.T) {
	in := winres.Info{ProductName: "hello", Description: "Hello, distribution", Version: "v1.2.3", Filename: "hello.exe"}
	a, err := winres.Object("amd64", in)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := winres.Object("amd64", in)
	if !bytes.Equal(a, b) {
		t.Fatal("two objects of one Info differ")
	}
	if _, err := winres.Object("riscv64", in); err == nil {
		t.Fatal("an object for riscv64: want an error")
	}
	for _, c := range []struct {
		name string
		want bool
	}{{winres.FileName("amd64"), true}, {"plugctl_version_windows_mips.syso", false}, {"rsrc_windows_amd64.syso", false}} {
		if got := winres.IsFileName(c.name); got != c.want {
			t.Errorf("IsFileName(%q) = %v", c.name, got)
		}
	}
}

// TestLinked links the object into a Windows program of each architecture
// with the go command and reads the resource back from the PE file.
func TestLinked(t *testing.T) {
	if testing.Short() {
		t.Skip("links three programs")
	}
	in := winres.Info{ProductName: "hello", Description: "Hello, distribution ✓", Version: "v1.2.3-rc.1", Filename: "hello.exe"}
	for _, arch := range []string{"386", "amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			dir := t.TempDir()
			obj, err := winres.Object(arch, in)
			if err != nil {
				t.Fatal(err)
			}
			write := func(name, data string) {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("go.mod", "module hello\n\ngo 1.22\n")
			write("main.go", "package main\n\nfunc main() {}\n")
			write(winres.FileName(arch), string(obj))
			cmd := exec.Command("go", "build", "-o", "hello.exe", ".")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH="+arch, "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			f, err := pe.Open(filepath.Join(dir, "hello.exe"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := winres.Strings(f)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				"":                 "1.2.3.0",
				"ProductName":      "hello",
				"InternalName":     "hello",
				"FileDescription":  "Hello, distribution ✓",
				"FileVersion":      "v1.2.3-rc.1",
				"ProductVersion":   "v1.2.3-rc.1",
				"OriginalFilename": "hello.exe",
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%q = %q, want %q", k, got[k], v)
				}
			}
			if len(got) != len(want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}
