package cli_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plugctl/plugctl/internal/testenv"
)

// swappedMarker is what the swapped copy of a vendored file puts into a
// binary built from it.
const swappedMarker = "SWAPPED-BY-A-CONCURRENT-WRITER"

// TestOfflineBuildRace runs build --offline --force 50 times while another
// process-like writer swaps a vendored source file back and forth between
// its vendored bytes and other code, as fast as it can. plugctl verifies the
// tree and compiles from bytes no one else can change in between, so each
// run either refuses the tree (exit 3: a file does not match its manifest)
// or builds a binary from the verified bytes: none holds the swapped code.
func TestOfflineBuildRace(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles 50 times; skipped with -short")
	}
	const runs = 50
	bin := buildPlugctl(t)
	repo := testenv.RepoRoot(t)
	dir := t.TempDir()
	for _, name := range []string{"examples", "plug"} {
		if err := os.Symlink(filepath.Join(repo, name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	example, err := os.ReadFile(filepath.Join(repo, "plugconfig.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plugconfig.yaml"), example, 0o644); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, ".home")
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "GOPATH=" + filepath.Join(home, "go"),
		"GOCACHE=" + testenv.GoCache(t), "GOMODCACHE=" + testenv.ModCache(t),
		"GOPROXY=off", "GOSUMDB=off", "GOTOOLCHAIN=local", "GOFLAGS=", "NO_COLOR=1",
	}
	plugctl := func(args ...string) (int, string) {
		cmd := exec.Command(bin, append([]string{"-q"}, args...)...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			return exit.ExitCode(), string(out)
		case err != nil:
			t.Fatalf("plugctl %s: %v", strings.Join(args, " "), err)
		}
		return 0, string(out)
	}
	if code, out := plugctl("vendor"); code != 0 {
		t.Fatalf("plugctl vendor: exit %d\n%s", code, out)
	}
	// With -mod=vendor, go compiles the copy under vendor/ (go mod vendor
	// copies the modules replaced by directories there too).
	victims, _ := filepath.Glob(filepath.Join(dir, ".plugctl", "vendor", "vendor", "github.com", "plugctl", "plugctl", "examples", "plugins", "greeter", "greeter.go"))
	if len(victims) != 1 {
		t.Fatalf("the vendored greeter.go: found %v", victims)
	}
	victim := victims[0]
	good, err := os.ReadFile(victim)
	if err != nil {
		t.Fatal(err)
	}
	const description = "Greets people through the core's greet hook"
	if !bytes.Contains(good, []byte(description)) {
		t.Fatalf("%s no longer holds %q", victim, description)
	}
	// Each swap brings code never compiled before, so that the go
	// command's build cache has no object for it and compiles what it
	// reads.
	evil := func(i int) []byte {
		return bytes.Replace(good, []byte(description), []byte(fmt.Sprintf("%s %d %d", swappedMarker, time.Now().UnixNano(), i)), 1)
	}

	// The writer swaps the file for the other content by renaming a file
	// written beside it onto it (what an editor or a deployment does), and
	// back, without pause, until the runs are over. It restores the
	// vendored bytes when it stops.
	var stop atomic.Bool
	var wg sync.WaitGroup
	swaps := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		tmp := victim + ".swap"
		for i := 0; !stop.Load(); i++ {
			content := good
			if i%2 == 0 {
				content = evil(i)
			}
			if os.WriteFile(tmp, content, 0o644) == nil && os.Rename(tmp, victim) == nil {
				swaps++
			}
			time.Sleep(100 * time.Microsecond)
		}
		os.WriteFile(victim, good, 0o644)
	}()
	refused, clean := 0, 0
	artifact := filepath.Join(dir, "dist", "hello")
	for i := range runs {
		os.Remove(artifact)
		code, out := plugctl("build", "--offline", "--force")
		switch code {
		case 0:
			data, err := os.ReadFile(artifact)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(data, []byte(swappedMarker)) {
				stop.Store(true)
				wg.Wait()
				t.Fatalf("run %d of %d: exit 0 and the binary holds the swapped code\n%s", i+1, runs, out)
			}
			clean++
		case 3:
			if !strings.Contains(out, "does not match its manifest") && !strings.Contains(out, "changed while plugctl") {
				t.Errorf("run %d: exit 3 for another reason:\n%s", i+1, out)
			}
			refused++
		default:
			t.Errorf("run %d: exit %d, want 0 (built from the verified bytes) or 3 (refused):\n%s", i+1, code, out)
		}
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("%d runs with %d swaps: %d built from the verified bytes, %d refused, 0 with the swapped code", runs, swaps, clean, refused)
	if code, out := plugctl("build", "--offline", "--force"); code != 0 {
		t.Fatalf("after the writer stopped: exit %d\n%s", code, out)
	}
}
