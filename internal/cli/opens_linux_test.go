package cli_test

import (
	"encoding/binary"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/rogpeppe/go-internal/testscript"
)

// opensCmds count, with inotify, how often the files of a tree are opened,
// by plugctl or any process it runs: watchopens DIR starts counting,
// checkopens DIR MAX fails when a file below DIR was opened more than MAX
// times since (directories are not counted), or when none was opened at all.
var opensCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"watchopens": cmdWatchOpens,
	"checkopens": cmdCheckOpens,
}

// watch is one inotify instance: its descriptor and the directory of each
// watch.
type watch struct {
	fd   int
	dirs map[int32]string // watch descriptor -> directory, relative to the root
}

var (
	watchesMu sync.Mutex
	watches   = map[string]*watch{} // by the watched root's absolute path
)

func cmdWatchOpens(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: watchopens DIR")
	}
	root := ts.MkAbs(args[0])
	fd, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC)
	ts.Check(err)
	w := &watch{fd: fd, dirs: map[int32]string{}}
	ts.Check(filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		wd, err := syscall.InotifyAddWatch(fd, p, syscall.IN_OPEN)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		w.dirs[int32(wd)] = filepath.ToSlash(rel)
		return nil
	}))
	watchesMu.Lock()
	watches[root] = w
	watchesMu.Unlock()
	ts.Defer(func() { syscall.Close(fd) })
}

func cmdCheckOpens(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: checkopens DIR MAX")
	}
	root := ts.MkAbs(args[0])
	watchesMu.Lock()
	w := watches[root]
	delete(watches, root)
	watchesMu.Unlock()
	if w == nil {
		ts.Fatalf("checkopens %s: no watchopens before", args[0])
	}
	opens := map[string]int{}
	buf := make([]byte, 64<<10)
	for {
		n, err := syscall.Read(w.fd, buf)
		if err == syscall.EAGAIN || n == 0 {
			break
		}
		ts.Check(err)
		for off := 0; off+syscall.SizeofInotifyEvent <= n; {
			wd := int32(binary.NativeEndian.Uint32(buf[off:]))
			mask := binary.NativeEndian.Uint32(buf[off+4:])
			size := int(binary.NativeEndian.Uint32(buf[off+12:]))
			name := strings.TrimRight(string(buf[off+syscall.SizeofInotifyEvent:off+syscall.SizeofInotifyEvent+size]), "\x00")
			off += syscall.SizeofInotifyEvent + size
			if mask&syscall.IN_Q_OVERFLOW != 0 {
				ts.Fatalf("checkopens %s: inotify queue overflowed", args[0])
			}
			if mask&syscall.IN_OPEN == 0 || mask&syscall.IN_ISDIR != 0 || name == "" {
				continue
			}
			opens[filepath.ToSlash(filepath.Join(w.dirs[wd], name))]++
		}
	}
	var names []string
	for name := range opens {
		names = append(names, name)
	}
	sort.Strings(names)
	limit, err := strconv.Atoi(args[1])
	ts.Check(err)
	if len(names) == 0 {
		ts.Fatalf("checkopens %s: no file was opened", args[0])
	}
	for _, name := range names {
		ts.Logf("%s opened %d time(s)", name, opens[name])
		if opens[name] > limit {
			ts.Fatalf("checkopens %s: %s was opened %d times, want at most %d", args[0], name, opens[name], limit)
		}
	}
}
