package source

import (
	"testing"
	"time"

	"github.com/plugctl/plugctl/internal/fail"
)

func TestLimitsFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Limits
		err  string
	}{
		{"unset", nil, Limits{}, ""},
		{"empty means default", map[string]string{EnvMaxFetchBytes: " ", EnvFetchTimeout: ""}, Limits{}, ""},
		{"every variable", map[string]string{EnvMaxFetchBytes: "64MiB", EnvMaxTreeBytes: "1GiB", EnvMaxArchiveFiles: "500", EnvFetchTimeout: "1500ms"},
			Limits{MaxBytes: 64 << 20, MaxTreeBytes: 1 << 30, MaxFiles: 500, Timeout: 1500 * time.Millisecond}, ""},
		{"plain bytes and KiB", map[string]string{EnvMaxFetchBytes: "1000", EnvMaxTreeBytes: "16 KiB"}, Limits{MaxBytes: 1000, MaxTreeBytes: 16 << 10}, ""},
		{"B suffix", map[string]string{EnvMaxFetchBytes: "10B"}, Limits{MaxBytes: 10}, ""},
		{"bad values, all reported", map[string]string{EnvMaxFetchBytes: "1GB", EnvMaxArchiveFiles: "-3", EnvFetchTimeout: "10"},
			Limits{}, `PLUGCTL_MAX_FETCH_BYTES="1GB": not a positive size (valid: a number of bytes, optionally followed by KiB, MiB or GiB, like 64MiB); ` +
				`PLUGCTL_MAX_ARCHIVE_FILES="-3": not a positive number of files; ` +
				`PLUGCTL_FETCH_TIMEOUT="10": not a positive duration (valid: a Go duration like 90s or 5m)`},
		{"zero", map[string]string{EnvMaxTreeBytes: "0"}, Limits{}, `PLUGCTL_MAX_TREE_BYTES="0": not a positive size (valid: a number of bytes, optionally followed by KiB, MiB or GiB, like 64MiB)`},
		{"overflow", map[string]string{EnvMaxFetchBytes: "9999999999GiB"}, Limits{}, `PLUGCTL_MAX_FETCH_BYTES="9999999999GiB": not a positive size (valid: a number of bytes, optionally followed by KiB, MiB or GiB, like 64MiB)`},
		{"hook timeout", map[string]string{EnvHookTimeout: "2s"}, Limits{HookTimeout: 2 * time.Second}, ""},
		{"bad hook timeout", map[string]string{EnvHookTimeout: "soon"}, Limits{}, `PLUGCTL_HOOK_TIMEOUT="soon": not a positive duration (valid: a Go duration like 90s or 5m)`},
		{"negative timeout", map[string]string{EnvFetchTimeout: "-1s"}, Limits{}, `PLUGCTL_FETCH_TIMEOUT="-1s": not a positive duration (valid: a Go duration like 90s or 5m)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LimitsFromEnv(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("LimitsFromEnv: %v", err)
			case tt.err != "" && err == nil:
				t.Fatalf("LimitsFromEnv = %+v, want error %s", got, tt.err)
			case tt.err != "":
				if err.Error() != tt.err {
					t.Errorf("error:\n%s\nwant:\n%s", err, tt.err)
				}
				if fail.KindOf(err) != fail.Config {
					t.Errorf("error kind %v, want fail.Config", fail.KindOf(err))
				}
			case got != tt.want:
				t.Errorf("LimitsFromEnv = %+v, want %+v", got, tt.want)
			}
		})
	}
}
