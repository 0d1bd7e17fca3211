package inspect

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"testing"
)

func TestEmbedded(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string // the name found, "" for none
	}{
		{"after other strings", "\x00runtime.main" + `plugctl-info:v1:{"schema":1,"name":"hello","core":{"module":"m","version":"v1.0.0"},"plugs":[]}` + "go.buildid\x00", "hello"},
		{"after a decoy marker", `plugctl-info:v1:%s` + "\x00" + `plugctl-info:v1:{"schema":1,"name":"real","core":{"module":"m","version":"v1.0.0"},"plugs":[]}xyz`, "real"},
		{"a marker only", "plugctl-info:v1:", ""},
		{"an unknown schema", `plugctl-info:v1:{"schema":2,"name":"x"}`, ""},
		{"nothing", "\x7fELF", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, ok := Embedded([]byte(tt.data))
			got := ""
			if ok {
				got = info.Name
			}
			if got != tt.want {
				t.Errorf("found %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	a, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if d := Compare(a, a); d.Offset != -1 {
		t.Errorf("Compare of equal bytes = %+v", d)
	}
	f, err := elf.NewFile(bytes.NewReader(a))
	if err != nil {
		t.Skip("not an ELF test binary")
	}
	text := f.Section(".text")
	b := bytes.Clone(a)
	b[text.Offset+10] ^= 1
	if d := Compare(a, b); d.Offset != int64(text.Offset+10) || d.Section != ".text" || d.String() != fmt.Sprintf("section .text (offset %#x)", text.Offset+10) {
		t.Errorf("Compare = %+v (%s), want .text at %#x", d, d, text.Offset+10)
	}
	if d := Compare(a, a[:len(a)-1]); d.Offset != int64(len(a)-1) || d.SizeB != int64(len(a)-1) {
		t.Errorf("Compare of a truncated copy = %+v", d)
	}
}
