package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "0")
	dir := filepath.Join(t.TempDir(), "man1")
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"plugctl.1", "plugctl-build.1", "plugctl-add.1", "plugctl-new-plug.1", "plugctl-doctor.1"} {
		if _, err := os.Stat(filepath.Join(dir, page)); err != nil {
			t.Errorf("no page %s: %v", page, err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "plugctl-build.1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`.TH "PLUGCTL" "1" "Jan 1970" "plugctl `, "\n.SH NAME\nplugctl-build - Resolve, generate and compile", "Exit codes:", "\n.SH EXAMPLE\n", "plugctl build --locked --offline"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("plugctl-build.1 lacks %q:\n%s", want, data)
		}
	}
}
