package artifact

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestDigest(t *testing.T) {
	in := Inputs{Plugctl: "v1", Toolchain: "go1.26.8", Config: "c", Template: "t", Sources: map[string]string{"core": "h1:a", "plug x": "h1:b"}, Tags: []string{"a"}}
	d := in.Digest("linux/amd64")
	if d != in.Digest("linux/amd64") {
		t.Fatal("digest is not stable")
	}
	if d == in.Digest("linux/arm64") {
		t.Error("the target is not part of the digest")
	}
	for name, edit := range map[string]func(*Inputs){
		"toolchain": func(in *Inputs) { in.Toolchain = "go1.26.9" },
		"source":    func(in *Inputs) { in.Sources = map[string]string{"core": "h1:a", "plug x": "h1:c"} },
		"tags":      func(in *Inputs) { in.Tags = []string{"b"} },
		"ldflags":   func(in *Inputs) { in.Ldflags = []string{"-s"} },
		"lock":      func(in *Inputs) { in.Lock = "l" },
		"vendor":    func(in *Inputs) { in.Vendor = "v" },
		"plugctl":   func(in *Inputs) { in.Plugctl = "v2" },
	} {
		c := in
		edit(&c)
		if c.Digest("linux/amd64") == d {
			t.Errorf("changing the %s keeps the digest", name)
		}
	}
}

func TestCheck(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "hello")
	state := t.TempDir()
	if err := os.WriteFile(bin, []byte("binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	sum, size, err := Hash(bin)
	if err != nil {
		t.Fatal(err)
	}
	in := Inputs{Toolchain: "go1.26.8"}
	rec := &Record{Schema: RecordSchema, Target: "linux/amd64", Digest: in.Digest("linux/amd64"), Inputs: in, SHA256: sum, Size: size}
	if err := Write(bin, rec, Sides{CycloneDX: []byte("{}\n"), SPDX: []byte("{}\n"), Provenance: []byte("{}\n")}, state); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(SumPath(bin))
	if err != nil || string(got) != sum+"  hello\n" {
		t.Errorf("sha256 file %q, %v", got, err)
	}
	if _, ok := Check(bin, rec.Digest, state); !ok {
		t.Fatal("a fresh artifact is not reused")
	}
	if _, ok := Check(bin, "sha256:other", state); ok {
		t.Error("an artifact of other inputs is reused")
	}
	os.Remove(SBOMPath(bin))
	if _, ok := Check(bin, rec.Digest, state); ok {
		t.Error("an artifact without its SBOM is reused")
	}
	os.WriteFile(SBOMPath(bin), []byte("{}\n"), 0o644)
	os.WriteFile(bin, []byte("binarY"), 0o755)
	if _, ok := Check(bin, rec.Digest, state); ok {
		t.Error("an edited binary is reused")
	}
}

func TestTool(t *testing.T) {
	got := Tool()
	// A test binary is a development build without VCS information: it is
	// known by its build ID, the one `go tool buildid` reads.
	if runtime.GOOS == "linux" {
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("go", "tool", "buildid", exe).Output()
		if err != nil {
			t.Fatalf("go tool buildid: %v", err)
		}
		if want := "(devel) buildid:" + strings.TrimSpace(string(out)); got != want {
			t.Errorf("Tool() = %q, want %q", got, want)
		}
	}
	// Another process of the same executable names it alike, or what an
	// earlier plugctl built would never be reused.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestToolHelperProcess$")
	cmd.Env = append(os.Environ(), "PLUGCTL_TEST_TOOL=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running the test binary again: %v", err)
	}
	if other, _, _ := strings.Cut(string(out), "\n"); other != got {
		t.Errorf("Tool() = %q in another process, %q in this one", other, got)
	}
}

// TestToolHelperProcess prints Tool() for TestTool when run by it.
func TestToolHelperProcess(t *testing.T) {
	if os.Getenv("PLUGCTL_TEST_TOOL") != "1" {
		t.Skip("run by TestTool")
	}
	fmt.Println(Tool())
}

// The file identity Write records lets Check skip reading the binary, but
// never lets through a binary rewritten behind its back, even one given its
// old size and modification time again.
func TestCheckStatShortcut(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "hello")
	state := t.TempDir()
	if err := os.WriteFile(bin, []byte("binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	sum, size, _ := Hash(bin)
	rec := &Record{Schema: RecordSchema, Digest: "sha256:d", SHA256: sum, Size: size}
	if err := Write(bin, rec, Sides{CycloneDX: []byte("{}\n"), SPDX: []byte("{}\n"), Provenance: []byte("{}\n")}, state); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" {
		if !unchanged(bin, sum, state) {
			t.Fatal("no file identity was recorded")
		}
	}
	if _, ok := Check(bin, rec.Digest, state); !ok {
		t.Fatal("a fresh artifact is not reused")
	}
	fi, _ := os.Stat(bin)
	if err := os.WriteFile(bin, []byte("BINARY"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(bin, fi.ModTime(), fi.ModTime())
	if unchanged(bin, sum, state) {
		t.Error("a rewritten binary with its old size and time passes for unchanged")
	}
	if _, ok := Check(bin, rec.Digest, state); ok {
		t.Error("a rewritten binary with its old size and time is reused")
	}
	// A binary restored to its old bytes is reused again (by its hash).
	os.WriteFile(bin, []byte("binary"), 0o755)
	if _, ok := Check(bin, rec.Digest, state); !ok {
		t.Error("a binary with the recorded bytes is not reused")
	}
}

func TestClaim(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "app")
	if err := Claim(bin, "linux/amd64"); err != nil {
		t.Fatalf("Claim of a free path: %v", err)
	}
	if !Owned(bin) {
		t.Fatal("a claimed path is not Owned")
	}
	if err := os.WriteFile(bin, []byte("binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, ok := Check(bin, "", ""); ok {
		t.Fatal("Check vouched for an artifact only claimed")
	}
	if err := Claim(bin, "linux/amd64"); err != nil {
		t.Fatalf("Claim over a claimed artifact: %v", err)
	}

	mine := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	var no *NotOwnedError
	if err := Claim(mine, "linux/amd64"); !errors.As(err, &no) || no.What != "a file plugctl did not build (there is no notes.txt.plugctl.json beside it)" {
		t.Fatalf("Claim over a user's file: %v", err)
	}
	if _, err := os.Stat(RecordPath(mine)); err == nil {
		t.Fatal("a refused Claim wrote a record")
	}
	if err := os.WriteFile(RecordPath(mine), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if Owned(mine) {
		t.Fatal("a file beside a broken record is Owned")
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CheckReplace(sub); !errors.As(err, &no) || no.What != "a directory" {
		t.Fatalf("CheckReplace of a directory: %v", err)
	}
}
