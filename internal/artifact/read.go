package artifact

import (
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// Binary is what plugctl reads of a binary it built: its SHA-256 (hex), its
// size, and the build information go wrote into it.
type Binary struct {
	SHA256 string
	Size   int64
	Info   *buildinfo.BuildInfo
}

// ReadBinary reads the binary at path once: it hashes it and reads its
// build information from the same pass over its bytes — through a memory
// map where the system has one, so that none of the tens of megabytes is
// copied — rather than reading the file again for each.
func ReadBinary(path string) (*Binary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if data, unmap, ok := mapFile(f, fi.Size()); ok {
		defer unmap()
		return fromBytes(path, data)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return nil, err
	}
	bi, err := buildinfo.Read(f)
	if err != nil {
		return nil, fmt.Errorf("reading the build information of %s: %w", path, err)
	}
	return &Binary{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n, Info: bi}, nil
}

// fromBytes hashes the mapped bytes of path and reads its build
// information. A file cut short by someone else while it is mapped is a
// fault, which this turns into an error.
func fromBytes(path string, data []byte) (b *Binary, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("reading %s: %v", path, r)
		}
	}()
	sum := sha256.Sum256(data)
	bi, err := buildinfo.Read(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("reading the build information of %s: %w", path, err)
	}
	return &Binary{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Info: bi}, nil
}
