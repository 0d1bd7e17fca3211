package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/plugctl/plugctl/internal/diag"
	"github.com/plugctl/plugctl/internal/fail"
)

// FuzzParse checks that Parse never panics or hangs, returns a config or
// errors but not both, and positions every error at 1:1 or after. The seeds
// include every config of the CLI's hostile-input corpus.
func FuzzParse(f *testing.F) {
	for _, tt := range errorTests {
		f.Add([]byte(tt.in))
	}
	for _, tt := range validTests {
		f.Add([]byte(tt.in))
	}
	for _, tt := range settingTests {
		f.Add([]byte(plugHeader + "      v: " + tt.yaml + "\n"))
	}
	for _, tt := range robustTests {
		if len(tt.in) < 4096 {
			f.Add([]byte(tt.in))
		}
	}
	for _, data := range corpusConfigs(f) {
		f.Add(data)
	}
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A generous bound: it turns a pathological input into a failure
		// the fuzzer saves rather than a stalled worker.
		start := time.Now()
		cfg, err := Parse("f.yaml", data, "/work")
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("Parse took %v", d)
		}
		if err == nil {
			if cfg == nil {
				t.Fatal("Parse returned neither a config nor an error")
			}
			return
		}
		if cfg != nil {
			t.Fatal("Parse returned a config with its errors")
		}
		if fail.KindOf(err) != fail.Config {
			t.Fatalf("error kind %v, want fail.Config: %v", fail.KindOf(err), err)
		}
		var errs diag.List
		if !errors.As(err, &errs) || len(errs) == 0 {
			t.Fatalf("error is not a diag.List: %v", err)
		}
		for _, e := range errs {
			if e.Pos.Line < 1 || e.Pos.Col < 1 {
				t.Errorf("error before 1:1: %v", e)
			}
			if e.Msg == "" {
				t.Errorf("error without a message at %v", e.Pos)
			}
		}
	})
}
