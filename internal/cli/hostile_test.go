package cli_test

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestHostile runs the hostile-input corpus in testdata/hostile: one broken
// or malicious input per script, each checking the exact exit code and the
// exact error plugctl prints (`plugctl -q` prints nothing but the errors),
// and that nothing was left behind. The scripts run with the same hermetic
// set-up as testdata/script; inputs that cannot sit in a text file (NUL
// bytes, invalid UTF-8, a file over the size limit, hostile archives,
// misbehaving servers, a git server that wants credentials, a git that logs
// its argv) are made by the commands in hostileCmds. To add a case, add a
// file.
func TestHostile(t *testing.T) { runScripts(t, "hostile") }

// hostileCmds are the script commands that make hostile inputs.
var hostileCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"writebytes":   cmdWriteBytes,
	"padfile":      cmdPadFile,
	"mkhostile":    cmdMkHostile,
	"httpshostile": cmdHTTPSHostile,
	"gitserve":     cmdGitServe,
	"sshserve":     cmdSSHServe,
	"fakegit":      cmdFakeGit,
	"gitargv":      cmdGitArgv,
	"nosecret":     cmdNoSecret,
	"mkbundle":     cmdMkBundle,
	"gitrev":       cmdGitRev,
	"lockget":      cmdLockGet,
	"lockedit":     cmdLockEdit,
}

// cmdWriteBytes writes the concatenation of Go-quoted strings to a file, for
// bytes a txtar file cannot hold: writebytes FILE QUOTED...
func cmdWriteBytes(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: writebytes FILE QUOTED...")
	}
	var b strings.Builder
	for _, q := range args[1:] {
		s, err := strconv.Unquote(q)
		if err != nil {
			ts.Fatalf("writebytes: %s: %v", q, err)
		}
		b.WriteString(s)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o644))
}

// cmdPadFile copies SRC to DST and pads it with YAML comment lines to
// exactly SIZE bytes, for files over a size limit (a config, a lock, a
// file in a git tree): padfile SRC DST SIZE.
func cmdPadFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: padfile SRC DST SIZE")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	size, err := strconv.Atoi(args[2])
	ts.Check(err)
	line := "# " + strings.Repeat("padding ", 9) + "\n"
	for len(data)+len(line) <= size {
		data = append(data, line...)
	}
	for len(data) < size {
		data = append(data, '#')
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), data, 0o644))
}

// cmdMkBundle writes a bundle of N entries — the config, then empty files
// — under plugctl-bundle/, with its checksum file beside it, for bundles
// too large to keep in the repository or holding a hostile config:
// mkbundle FILE N [CONFIG].
func cmdMkBundle(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: mkbundle FILE N [CONFIG]")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	config := "schema: 1\nname: many\ncore:\n  source: ./core\n"
	if len(args) == 3 {
		config = ts.ReadFile(args[2])
	}
	f, err := os.Create(ts.MkAbs(args[0]))
	ts.Check(err)
	h := sha256.New()
	gz, err := gzip.NewWriterLevel(io.MultiWriter(f, h), gzip.BestSpeed)
	ts.Check(err)
	tw := tar.NewWriter(gz)
	ts.Check(tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "plugctl-bundle/plugconfig.yaml", Mode: 0o644, Size: int64(len(config))}))
	_, err = io.WriteString(tw, config)
	ts.Check(err)
	for i := 1; i < n; i++ {
		ts.Check(tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: fmt.Sprintf("plugctl-bundle/f/%07d", i), Mode: 0o644}))
	}
	ts.Check(tw.Close())
	ts.Check(gz.Close())
	ts.Check(f.Close())
	sum := hex.EncodeToString(h.Sum(nil)) + "  " + filepath.Base(args[0]) + "\n"
	ts.Check(os.WriteFile(ts.MkAbs(args[0])+".sha256", []byte(sum), 0o644))
}
