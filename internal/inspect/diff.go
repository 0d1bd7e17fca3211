package inspect

import (
	"bytes"
	"cmp"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"fmt"
	"slices"
	"strings"
)

// Difference says where two binaries first differ: the offset of the first
// byte that differs and the section of a that holds it ("" when no section
// does: a header, padding); Offset is -1 when they are equal.
type Difference struct {
	Offset  int64
	Section string
	// SizeA and SizeB are the binaries' sizes.
	SizeA, SizeB int64
}

// String says it for a message: "section .rodata (offset 0x1f2a0)".
func (d Difference) String() string {
	where := fmt.Sprintf("offset %#x", d.Offset)
	if d.Section != "" {
		where = "section " + d.Section + " (" + where + ")"
	}
	if d.SizeA != d.SizeB {
		where += fmt.Sprintf("; sizes %d and %d", d.SizeA, d.SizeB)
	}
	return where
}

// Compare returns where a and b, the bytes of two binaries, first differ:
// the first byte, and the first section of a (in file order) whose bytes
// differ from b's section of that name, the Go build ID's last — a changed
// section moves the headers that describe it, so the first byte alone
// would often name none. Sections are read from the headers, ELF, PE or Mach-O.
func Compare(a, b []byte) Difference {
	d := Difference{Offset: -1, SizeA: int64(len(a)), SizeB: int64(len(b))}
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n && len(a) == len(b) {
		return d
	}
	d.Offset = int64(i)
	// The build IDs (Go's, and the GNU note the linker derives from it),
	// hashes of every input, differ whenever anything does: they are
	// named only when nothing else differs.
	sa, sb := readSections(a), readSections(b)
	for _, skipID := range []bool{true, false} {
		for _, s := range sa.list {
			if skipID && (strings.Contains(s.name, "buildid") || strings.Contains(s.name, "build-id")) {
				continue
			}
			t, ok := sb.byName[s.name]
			if !ok || !bytes.Equal(s.bytes(a), t.bytes(b)) {
				d.Section = s.name
				return d
			}
		}
	}
	for _, s := range sa.list {
		if d.Offset >= s.off && d.Offset < s.off+s.size {
			d.Section = s.name
		}
	}
	return d
}

// section is a section's place in a file.
type section struct {
	name      string
	off, size int64
}

func (s section) bytes(data []byte) []byte {
	if s.off < 0 || s.off+s.size > int64(len(data)) {
		return nil
	}
	return data[s.off : s.off+s.size]
}

// sectionTable is a file's sections, in file order and by name.
type sectionTable struct {
	list   []section
	byName map[string]section
}

// readSections reads the sections of the binary data that have bytes in
// the file; none when it is not ELF, PE or Mach-O.
func readSections(data []byte) sectionTable {
	var list []section
	r := bytes.NewReader(data)
	if f, err := elf.NewFile(r); err == nil {
		for _, s := range f.Sections {
			if s.Type != elf.SHT_NOBITS && s.Type != elf.SHT_NULL {
				list = append(list, section{s.Name, int64(s.Offset), int64(s.FileSize)})
			}
		}
	} else if f, err := pe.NewFile(r); err == nil {
		for _, s := range f.Sections {
			list = append(list, section{s.Name, int64(s.Offset), int64(s.Size)})
		}
	} else if f, err := macho.NewFile(r); err == nil {
		for _, s := range f.Sections {
			list = append(list, section{s.Seg + "," + s.Name, int64(s.Offset), int64(s.Size)})
		}
	}
	slices.SortStableFunc(list, func(x, y section) int { return cmp.Compare(x.off, y.off) })
	m := map[string]section{}
	for _, s := range list {
		m[s.name] = s
	}
	return sectionTable{list, m}
}
