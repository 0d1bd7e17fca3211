package gotool

import (
	"testing"
)

// TestClassify reads stderr the go command (1.26) printed in each case,
// recorded with a full or read-only tmpfs and with paths under a file.
func TestClassify(t *testing.T) {
	t.Setenv("GOTMPDIR", "")
	dirs := []dir{{"GOCACHE", "/home/u/.cache/go-build"}, {"TMPDIR", "/tmp/t"}}
	tests := []struct {
		name, stderr, want string
	}{
		{"cache under a file", "failed to initialize build cache at /x/afile/c: mkdir /x/afile: not a directory",
			"GOCACHE /x/afile/c cannot be used: mkdir /x/afile: not a directory (set GOCACHE to a writable directory with free space)"},
		{"read-only cache", "failed to initialize build cache at /ro: mkdir /ro/00: read-only file system",
			"GOCACHE /ro cannot be used: mkdir /ro/00: read-only file system (set GOCACHE to a writable directory with free space)"},
		{"no HOME", "go: GOCACHE is not defined and neither $XDG_CACHE_HOME nor $HOME are defined",
			`GOCACHE "" cannot be used: GOCACHE is not defined and neither $XDG_CACHE_HOME nor $HOME are defined (set GOCACHE to a writable directory with free space)`},
		{"no work directory", "go: creating work dir: stat /proc/nope: no such file or directory",
			"TMPDIR /tmp/t cannot be used: stat /proc/nope: no such file or directory (set TMPDIR to a writable directory with free space)"},
		{"full output", "go build plugctl.build/hello: copying /tmp/t/go-build1/b001/exe/a.out to /out/.app.tmp-1/app: write /out/.app.tmp-1/app: no space left on device",
			"cannot write /out/.app.tmp-1/app: no space left on device"},
		{"read-only output", "go build x: copying /tmp/t/go-build1/b001/exe/a.out: open /out/app: read-only file system",
			"cannot write /out/app: read-only file system"},
		{"full work directory", "compile: writing output: write $WORK/b012/_pkg_.a: no space left on device\ninternal/byteorder: write /tmp/t/go-build2/b013/importcfg: no space left on device",
			"TMPDIR /tmp/t cannot be used: writing $WORK/b012/_pkg_.a: no space left on device (set TMPDIR to a writable directory with free space)"},
		{"linker output", "# plugctl.build/hello\n/usr/local/go/pkg/tool/linux_amd64/link: mapping output file failed: no space left on device",
			"TMPDIR /tmp/t cannot be used: writing go's work directory: no space left on device (set TMPDIR to a writable directory with free space)"},
		{"full cache", "go: error obtaining buildID: write /home/u/.cache/go-build/ab/cd-d: disk quota exceeded",
			"GOCACHE /home/u/.cache/go-build cannot be used: writing /home/u/.cache/go-build/ab/cd-d: disk quota exceeded (set GOCACHE to a writable directory with free space)"},
		{"a compile error", "# example.com/p\np.go:3:9: undefined: x", ""},
		{"a module not found", "go: example.com/x@v1.0.0: reading example.com/x/go.mod: no such file", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if err := classify(tt.stderr, nil, dirs); err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
