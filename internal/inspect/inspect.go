// Package inspect reads back what a binary built by plugctl contains, from
// the binary alone: the build description plugctl embeds in the generated
// main (the core, the plugs, their versions and settings digests) and the
// build information the go command records (Go version, target, build
// settings and every module with its go.sum hash).
//
// It reads ELF, PE and Mach-O files alike, so a binary built for another
// operating system can be inspected on this one.
package inspect

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"

	"github.com/plugctl/plugctl/internal/codegen"
	"github.com/plugctl/plugctl/internal/fail"
	"github.com/plugctl/plugctl/internal/files"
)

// Report is what a binary says about itself.
type Report struct {
	Path string `json:"binary"`
	// Name, Core and Plugs come from the description plugctl embeds.
	Name string `json:"name,omitempty"`
	// Version and Description are the config's, when it set them.
	Version     string             `json:"version,omitempty"`
	Description string             `json:"description,omitempty"`
	Core        codegen.InfoModule `json:"core"`
	Plugs       []codegen.InfoPlug `json:"plugs"`
	// Profile is the core profile the build used; Order the core's
	// plugins in the order it runs them, every plug at its place, for
	// cores that keep one. Absent otherwise.
	Profile string   `json:"profile,omitempty"`
	Order   []string `json:"order,omitempty"`
	// Embed is the digest of the files the binary embeds (build.embed);
	// absent when none.
	Embed string `json:"embed,omitempty"`
	// Go is the toolchain version, Target its GOOS/GOARCH, Main the build
	// module's path, from the go command's build information.
	Go     string `json:"go,omitempty"`
	Target string `json:"target,omitempty"`
	Main   string `json:"main,omitempty"`
	// Settings are the go build settings (-tags, -ldflags, CGO_ENABLED,
	// GOAMD64, …) as recorded, sorted by key.
	Settings []Setting `json:"settings"`
	// Modules are every module linked into the binary, sorted by path.
	Modules []Module `json:"modules"`
}

// Setting is one recorded build setting.
type Setting struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Module is a module linked into the binary.
type Module struct {
	Path    string  `json:"path"`
	Version string  `json:"version"`
	Sum     string  `json:"sum,omitempty"`
	Replace *Module `json:"replace,omitempty"`
}

// File inspects the binary at path. A missing file, a file that is not a Go
// binary and a Go binary that plugctl did not build are errors of kind
// fail.Config (exit 2): the input is wrong, not plugctl. Anything but a
// regular file is refused at once: reading a FIFO would wait for a writer
// forever.
func File(path string) (*Report, error) {
	f, err := files.OpenRegular(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fail.New(fail.Config, "%s: no such file", path)
		}
		return nil, fail.Wrap(fail.Config, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fail.Wrap(fail.Config, err)
	}
	return Read(path, f, fi.Size())
}

// Read inspects the binary of size bytes that r reads, named path in the
// report and the errors. It reads only what it needs — the headers, the
// build information the go command records, and the read-only data section
// up to plugctl's description — never the whole file, so that inspecting an
// 80 MB binary costs a few megabytes of reads and a fixed buffer.
func Read(path string, r io.ReaderAt, size int64) (*Report, error) {
	bi, err := buildinfo.Read(r)
	if err != nil {
		return nil, fail.New(fail.Config, "%s: not a Go binary with build information (%v)", path, err)
	}
	info, ok, err := find(r, size)
	if err != nil {
		return nil, fail.Wrap(fail.Config, fmt.Errorf("%s: %w", path, err))
	}
	if !ok {
		return nil, fail.New(fail.Config, "%s: not built by plugctl: no %q description in it (a Go binary of %s; `go version -m` lists its modules)", path, codegen.InfoMarker, bi.Path)
	}
	rep := &Report{Path: path, Name: info.Name, Version: info.Version, Description: info.Description, Core: info.Core, Plugs: info.Plugs, Profile: info.Profile, Order: info.Order, Embed: info.Embed, Go: bi.GoVersion, Main: bi.Path, Settings: []Setting{}, Modules: []Module{}}
	if rep.Plugs == nil {
		rep.Plugs = []codegen.InfoPlug{}
	}
	var goos, goarch string
	for _, s := range bi.Settings {
		rep.Settings = append(rep.Settings, Setting{s.Key, s.Value})
		switch s.Key {
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		}
	}
	sort.SliceStable(rep.Settings, func(i, j int) bool { return rep.Settings[i].Key < rep.Settings[j].Key })
	rep.Target = goos + "/" + goarch
	for _, d := range bi.Deps {
		m := Module{Path: d.Path, Version: d.Version, Sum: d.Sum}
		if d.Replace != nil {
			m.Replace = &Module{Path: d.Replace.Path, Version: d.Replace.Version, Sum: d.Replace.Sum}
		}
		rep.Modules = append(rep.Modules, m)
	}
	sort.Slice(rep.Modules, func(i, j int) bool { return rep.Modules[i].Path < rep.Modules[j].Path })
	return rep, nil
}

// span is a range of a file's bytes.
type span struct{ off, size int64 }

// constants returns where a Go binary keeps its string constants — the
// read-only data section of an ELF, PE or Mach-O file — or false for a
// format or layout it does not know, where the whole file is searched.
func constants(r io.ReaderAt) (span, bool) {
	var magic [4]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil {
		return span{}, false
	}
	switch {
	case bytes.Equal(magic[:], []byte("\x7FELF")):
		f, err := elf.NewFile(r)
		if err != nil {
			return span{}, false
		}
		if s := f.Section(".rodata"); s != nil && s.Type == elf.SHT_PROGBITS {
			return span{int64(s.Offset), int64(s.FileSize)}, true
		}
	case bytes.Equal(magic[:2], []byte("MZ")):
		f, err := pe.NewFile(r)
		if err != nil {
			return span{}, false
		}
		if s := f.Section(".rdata"); s != nil {
			return span{int64(s.Offset), int64(s.Size)}, true
		}
	case bytes.HasPrefix(magic[:], []byte("\xFE\xED\xFA")) || bytes.HasPrefix(magic[1:], []byte("\xFA\xED\xFE")):
		f, err := macho.NewFile(r)
		if err != nil {
			return span{}, false
		}
		if s := f.Section("__rodata"); s != nil {
			return span{int64(s.Offset), int64(s.Size)}, true
		}
	}
	return span{}, false
}

// find looks for plugctl's description in the binary r of size bytes: in
// its read-only data first, then, if not there (a layout it does not know),
// in the whole file — either way through a fixed buffer.
func find(r io.ReaderAt, size int64) (*codegen.Info, bool, error) {
	if s, ok := constants(r); ok && s.off >= 0 && s.size > 0 && s.off+s.size <= size {
		info, ok, err := search(r, s)
		if ok || err != nil {
			return info, ok, err
		}
	}
	return search(r, span{0, size})
}

// Embedded finds the build description plugctl put into a binary's data: the
// marker followed by one JSON object.
func Embedded(data []byte) (*codegen.Info, bool) {
	info, ok, _ := search(bytes.NewReader(data), span{0, int64(len(data))})
	return info, ok
}

// chunk is how much of the file search reads at a time; maxInfo bounds one
// description.
const (
	chunk   = 1 << 20
	maxInfo = 4 << 20
)

// search finds the description in the bytes of s: the marker followed by
// one JSON object. Go strings are not terminated, so the JSON decoder
// decides where the object ends; an occurrence of the marker that is not
// followed by a valid description (plugctl's own binary holds the marker
// as a constant) is skipped. It reads s a chunk at a time, the chunks
// overlapping by the marker's length, so that memory stays fixed whatever
// the binary's size.
func search(r io.ReaderAt, s span) (*codegen.Info, bool, error) {
	marker := []byte(codegen.InfoMarker)
	buf := make([]byte, chunk+len(marker))
	end := s.off + s.size
	for off := s.off; off < end; {
		n, err := r.ReadAt(buf[:min(int64(len(buf)), end-off)], off)
		if err != nil && err != io.EOF {
			return nil, false, err
		}
		if n == 0 {
			break
		}
		data := buf[:n]
		for i := 0; ; {
			j := bytes.Index(data[i:], marker)
			if j < 0 {
				break
			}
			at := off + int64(i+j+len(marker))
			var info codegen.Info
			dec := json.NewDecoder(io.LimitReader(io.NewSectionReader(r, at, end-at), maxInfo))
			if dec.Decode(&info) == nil && info.Schema == codegen.InfoSchema && info.Name != "" {
				return &info, true, nil
			}
			i += j + 1
		}
		if off+int64(n) >= end {
			break
		}
		// The next chunk starts so that a marker cut at this one's end is
		// whole in it.
		off += int64(max(n-len(marker)+1, 1))
	}
	return nil, false, nil
}

// String renders r for a terminal: one fact per line, modules last.
func (r *Report) String() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "binary   %s\n", r.Path)
	fmt.Fprintf(&b, "name     %s\n", r.Name)
	if r.Version != "" {
		fmt.Fprintf(&b, "version  %s\n", r.Version)
	}
	if r.Description != "" {
		fmt.Fprintf(&b, "desc     %s\n", r.Description)
	}
	fmt.Fprintf(&b, "core     %s %s%s\n", r.Core.Module, r.Core.Version, from(r.Core.Source, r.Core.Checksum))
	if r.Profile != "" {
		fmt.Fprintf(&b, "profile  %s\n", r.Profile)
	}
	if r.Embed != "" {
		fmt.Fprintf(&b, "embed    %s\n", r.Embed)
	}
	fmt.Fprintf(&b, "target   %s\n", r.Target)
	fmt.Fprintf(&b, "go       %s\n", r.Go)
	fmt.Fprintf(&b, "plugs    %d\n", len(r.Plugs))
	for _, p := range r.Plugs {
		fmt.Fprintf(&b, "  %s\t%s %s%s\t%ssettings %s\n", p.Name, p.Module, p.Version, from(p.Source, p.Checksum), kind(p.Kind), p.SettingsDigest)
	}
	if len(r.Order) > 0 {
		fmt.Fprintf(&b, "order    %s\n", strings.Join(r.Order, " "))
	}
	fmt.Fprintf(&b, "settings\n")
	for _, s := range r.Settings {
		fmt.Fprintf(&b, "  %s=%s\n", s.Key, s.Value)
	}
	fmt.Fprintf(&b, "modules  %d\n", len(r.Modules))
	for _, m := range r.Modules {
		line := "  " + m.Path + " " + m.Version
		if m.Sum != "" {
			line += " " + m.Sum
		}
		if m.Replace != nil {
			line += " => " + m.Replace.Path
			if m.Replace.Version != "" {
				line += " " + m.Replace.Version
			}
			if m.Replace.Sum != "" {
				line += " " + m.Replace.Sum
			}
		}
		fmt.Fprintln(&b, line)
	}
	return b.String()
}

// kind says what a plug is to the core, when the binary records it.
func kind(k string) string {
	if k == "" {
		return ""
	}
	return "kind " + k + "\t"
}

// from says where a component came from, when the binary records it, with
// an archive's checksum: " (archive sha256:…)".
func from(source, checksum string) string {

	if source == "" {
		return ""
	}
	if checksum != "" {
		source += " " + checksum
	}
	return " (" + source + ")"
}
