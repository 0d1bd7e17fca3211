// Package winres writes the version resource of a Windows binary — the
// product name, version and description Explorer's Properties dialog and
// tools such as signtool show — as a COFF object file (a .syso) the go
// command links into the main package of a Windows build, and reads it back
// from a built binary.
//
// The object holds one section, .rsrc, with the resource directory
// (RT_VERSION, ID 1, language en-US) and its one data entry, a
// VS_VERSIONINFO structure: a VS_FIXEDFILEINFO with the numeric file and
// product versions, a StringFileInfo table (040904B0: en-US, Unicode) with
// ProductName, FileDescription, FileVersion, ProductVersion, InternalName
// and OriginalFilename, and a VarFileInfo Translation. The data entry's
// address is relative to the section, with one relocation (ADDR32NB, the
// image-relative form) against the section's symbol, which the Go linker
// resolves when it places .rsrc in the image. The layouts are those of the
// PE format and of the VERSIONINFO resource as Microsoft documents them;
// the object is written from scratch, with no dependency.
package winres

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Info is what the version resource says.
type Info struct {
	// ProductName names the program (the config's name).
	ProductName string
	// Description is one line saying what it is (the config's description,
	// else its name).
	Description string
	// Version is the version shown (the config's version, else the core's);
	// its leading numbers (v1.2.3-rc.1 → 1.2.3.0) make the numeric one.
	Version string
	// Filename is the binary's file name (OriginalFilename).
	Filename string
}

// Machines are the Windows architectures a resource object is written for,
// by GOARCH: the COFF machine and the ADDR32NB relocation type.
var Machines = map[string]struct{ Machine, Reloc uint16 }{
	"amd64": {0x8664, 0x0003}, // IMAGE_FILE_MACHINE_AMD64, IMAGE_REL_AMD64_ADDR32NB
	"386":   {0x014c, 0x0007}, // IMAGE_FILE_MACHINE_I386, IMAGE_REL_I386_DIR32NB
	"arm64": {0xaa64, 0x0002}, // IMAGE_FILE_MACHINE_ARM64, IMAGE_REL_ARM64_ADDR32NB
}

// FileName is the name of the object for goarch: the go command links a
// .syso whose name ends _windows_GOARCH into that target only.
func FileName(goarch string) string { return filePrefix + goarch + ".syso" }

const filePrefix = "plugctl_version_windows_"

// IsFileName reports whether name is FileName of some architecture.
func IsFileName(name string) bool {
	arch, ok := strings.CutPrefix(name, filePrefix)
	if !ok {
		return false
	}
	_, ok = Machines[strings.TrimSuffix(arch, ".syso")]
	return ok && strings.HasSuffix(arch, ".syso")
}

// Object returns the COFF object holding in's version resource for goarch
// (a key of Machines). The same Info gives the same bytes.
func Object(goarch string, in Info) ([]byte, error) {
	m, ok := Machines[goarch]
	if !ok {
		return nil, fmt.Errorf("no Windows version resource for %s (valid: 386, amd64, arm64)", goarch)
	}
	data := versionInfo(in)

	// The resource directory: root (type) → name → language → data entry.
	const (
		dirSize   = 16
		entrySize = 8
		typeDir   = 0
		nameDir   = typeDir + dirSize + entrySize
		langDir   = nameDir + dirSize + entrySize
		dataEntry = langDir + dirSize + entrySize
		dataStart = dataEntry + 16
	)
	var sec bytes.Buffer
	dir := func(id, offset uint32) {
		le(&sec, uint32(0), uint32(0), uint16(0), uint16(0), uint16(0), uint16(1)) // one ID entry
		le(&sec, id, offset)
	}
	const subdir = 0x80000000
	dir(16, subdir|nameDir)     // RT_VERSION
	dir(1, subdir|langDir)      // VS_VERSION_INFO's ID
	dir(0x0409, dataEntry)      // en-US
	le(&sec, uint32(dataStart)) // relocated to an image-relative address
	le(&sec, uint32(len(data)), uint32(0), uint32(0))
	sec.Write(data)
	pad(&sec, 4)

	const headers = 20 + 40
	var b bytes.Buffer
	relocs := headers + sec.Len()
	symtab := relocs + 10
	// IMAGE_FILE_HEADER
	le(&b, m.Machine, uint16(1), uint32(0), uint32(symtab), uint32(1), uint16(0), uint16(0))
	// IMAGE_SECTION_HEADER: .rsrc, initialised read-only data.
	b.WriteString(".rsrc\x00\x00\x00")
	le(&b, uint32(0), uint32(0), uint32(sec.Len()), uint32(headers), uint32(relocs), uint32(0), uint16(1), uint16(0), uint32(0x40000040))
	b.Write(sec.Bytes())
	// IMAGE_RELOCATION of the data entry's address, against symbol 0.
	le(&b, uint32(dataEntry), uint32(0), m.Reloc)
	// IMAGE_SYMBOL: the section's static symbol, then an empty string table.
	b.WriteString(".rsrc\x00\x00\x00")
	le(&b, uint32(0), int16(1), uint16(0), uint8(3), uint8(0))
	le(&b, uint32(4))
	return b.Bytes(), nil
}

// versionInfo encodes the VS_VERSIONINFO structure.
func versionInfo(in Info) []byte {
	desc := in.Description
	if desc == "" {
		desc = in.ProductName
	}
	strs := []struct{ k, v string }{
		{"FileDescription", desc},
		{"FileVersion", in.Version},
		{"InternalName", in.ProductName},
		{"OriginalFilename", in.Filename},
		{"ProductName", in.ProductName},
		{"ProductVersion", in.Version},
	}
	var table [][]byte
	for _, s := range strs {
		if s.v == "" {
			continue
		}
		v := utf16z(s.v)
		table = append(table, node(s.k, v, 1, uint16(len(v)/2), nil))
	}
	ms, ls := Numeric(in.Version)
	var fixed bytes.Buffer
	le(&fixed, uint32(0xFEEF04BD), uint32(0x00010000), ms, ls, ms, ls,
		uint32(0x3f), uint32(0), uint32(0x00040004), uint32(1), uint32(0), uint32(0), uint32(0))
	var translation bytes.Buffer
	le(&translation, uint16(0x0409), uint16(0x04B0))
	return node("VS_VERSION_INFO", fixed.Bytes(), 0, uint16(fixed.Len()), [][]byte{
		node("StringFileInfo", nil, 1, 0, [][]byte{node("040904B0", nil, 1, 0, table)}),
		node("VarFileInfo", nil, 1, 0, [][]byte{node("Translation", translation.Bytes(), 0, uint16(translation.Len()), nil)}),
	})
}

// node encodes one structure of a version resource: wLength, wValueLength,
// wType, the key (UTF-16, NUL-terminated), padding to 32 bits, the value,
// padding, and the children, each starting on a 32-bit boundary.
func node(key string, value []byte, typ, valueLength uint16, children [][]byte) []byte {
	var b bytes.Buffer
	le(&b, uint16(0), valueLength, typ)
	b.Write(utf16z(key))
	pad(&b, 4)
	b.Write(value)
	for _, c := range children {
		pad(&b, 4)
		b.Write(c)
	}
	out := b.Bytes()
	binary.LittleEndian.PutUint16(out, uint16(len(out)))
	return out
}

// Numeric returns the version's leading numbers as the two 32-bit halves
// of a VS_FIXEDFILEINFO version: 1.2.3 → 1.2.3.0, v2.11.9-rc.1 → 2.11.9.0;
// a part that is not a number, or over 65535, ends them.
func Numeric(v string) (ms, ls uint32) {
	v = strings.TrimPrefix(v, "v")
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		v = v[:i]
	}
	var parts [4]uint32
	for i, p := range strings.SplitN(v, ".", 4) {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			break
		}
		parts[i] = uint32(n)
	}
	return parts[0]<<16 | parts[1], parts[2]<<16 | parts[3]
}

func utf16z(s string) []byte {
	var b bytes.Buffer
	for _, u := range utf16.Encode([]rune(s)) {
		le(&b, u)
	}
	le(&b, uint16(0))
	return b.Bytes()
}

func pad(b *bytes.Buffer, n int) {
	for b.Len()%n != 0 {
		b.WriteByte(0)
	}
}

// le writes values little-endian; they are fixed-size, so it cannot fail.
func le(b *bytes.Buffer, vs ...any) {
	for _, v := range vs {
		_ = binary.Write(b, binary.LittleEndian, v)
	}
}

// Strings reads the version resource of a Windows binary back: the
// StringFileInfo table of its RT_VERSION resource (ProductName,
// FileVersion, …), and the numeric file version of its VS_FIXEDFILEINFO
// as "a.b.c.d" under the key "". A binary with no .rsrc section or no
// version resource is an error.
func Strings(f *pe.File) (map[string]string, error) {
	sec := f.Section(".rsrc")
	if sec == nil {
		return nil, fmt.Errorf("no .rsrc section")
	}
	data, err := sec.Data()
	if err != nil {
		return nil, err
	}
	u16 := func(off uint32) (uint16, bool) {
		if uint64(off)+2 > uint64(len(data)) {
			return 0, false
		}
		return binary.LittleEndian.Uint16(data[off:]), true
	}
	u32 := func(off uint32) (uint32, bool) {
		if uint64(off)+4 > uint64(len(data)) {
			return 0, false
		}
		return binary.LittleEndian.Uint32(data[off:]), true
	}
	// find follows the directory at off to the entry with id (or the
	// first, for id 0xffffffff).
	find := func(off, id uint32) (uint32, bool) {
		named, ok1 := u16(off + 12)
		ids, ok2 := u16(off + 14)
		if !ok1 || !ok2 {
			return 0, false
		}
		for i := uint32(0); i < uint32(named)+uint32(ids); i++ {
			e := off + 16 + 8*i
			name, ok1 := u32(e)
			to, ok2 := u32(e + 4)
			if !ok1 || !ok2 {
				return 0, false
			}
			if name == id || id == 0xffffffff {
				return to, true
			}
		}
		return 0, false
	}
	const subdir = 0x80000000
	off, ok := find(0, 16) // RT_VERSION
	if ok && off&subdir != 0 {
		off, ok = find(off&^subdir, 0xffffffff)
	}
	if ok && off&subdir != 0 {
		off, ok = find(off&^subdir, 0xffffffff)
	}
	if !ok || off&subdir != 0 {
		return nil, fmt.Errorf("no version resource")
	}
	rva, ok1 := u32(off)
	size, ok2 := u32(off + 4)
	if !ok1 || !ok2 || rva < sec.VirtualAddress || uint64(rva-sec.VirtualAddress)+uint64(size) > uint64(len(data)) {
		return nil, fmt.Errorf("version resource out of the section")
	}
	vi := data[rva-sec.VirtualAddress:][:size]
	out := map[string]string{}
	if err := readNode(vi, out, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// readNode decodes the structure at the start of b and its children into
// out: the VS_FIXEDFILEINFO's file version under "", each string under
// its key.
func readNode(b []byte, out map[string]string, depth int) error {
	if len(b) < 6 || depth > 4 {
		return fmt.Errorf("truncated version resource")
	}
	length := int(binary.LittleEndian.Uint16(b))
	valueLength := int(binary.LittleEndian.Uint16(b[2:]))
	typ := binary.LittleEndian.Uint16(b[4:])
	if length > len(b) || length < 6 {
		return fmt.Errorf("bad version resource length")
	}
	b = b[:length]
	key, n := readUTF16z(b[6:])
	off := align4(6 + n)
	valueSize := valueLength
	if typ == 1 {
		valueSize *= 2
	}
	if off+valueSize > len(b) {
		return fmt.Errorf("bad version resource value")
	}
	value := b[off : off+valueSize]
	switch {
	case key == "VS_VERSION_INFO" && len(value) >= 16:
		ms, ls := binary.LittleEndian.Uint32(value[8:]), binary.LittleEndian.Uint32(value[12:])
		out[""] = fmt.Sprintf("%d.%d.%d.%d", ms>>16, ms&0xffff, ls>>16, ls&0xffff)
	case depth == 3 && typ == 1:
		s, _ := readUTF16z(value)
		out[key] = s
	}
	for off = align4(off + valueSize); off+6 <= len(b); {
		l := int(binary.LittleEndian.Uint16(b[off:]))
		if l < 6 || off+l > len(b) {
			return fmt.Errorf("bad version resource child")
		}
		if err := readNode(b[off:off+l], out, depth+1); err != nil {
			return err
		}
		off = align4(off + l)
	}
	return nil
}

// readUTF16z returns the NUL-terminated UTF-16 string at the start of b
// and the bytes it takes, its NUL included.
func readUTF16z(b []byte) (string, int) {
	var us []uint16
	for i := 0; i+1 < len(b); i += 2 {
		u := binary.LittleEndian.Uint16(b[i:])
		if u == 0 {
			return string(utf16.Decode(us)), i + 2
		}
		us = append(us, u)
	}
	return string(utf16.Decode(us)), len(b)
}

func align4(n int) int { return (n + 3) &^ 3 }
