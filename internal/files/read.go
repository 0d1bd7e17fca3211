package files

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ReadFile reads name like os.ReadFile, but only a regular file of at most
// max bytes: a project file that is a symbolic link to /dev/zero, a FIFO or
// a device, or simply enormous, would otherwise make plugctl read forever,
// block, or exhaust memory. A file that does not exist gives an error
// satisfying errors.Is(err, fs.ErrNotExist), as os.ReadFile's does.
func ReadFile(name string, max int64) ([]byte, error) {
	f, err := OpenRegular(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %s (the limit)", name, Size(max))
	}
	return data, nil
}

// DescribeMode names the type of a file for a message that refuses it:
// "a directory", "a named pipe", "a socket", "a device", "a symbolic link",
// else "a special file"; "a regular file" for one.
func DescribeMode(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// checkRegular returns f if it is a regular file, else closes it.
func checkRegular(name string, f *os.File) (*os.File, error) {
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	return f, nil
}

// Size formats n bytes for a message: in GiB, MiB or KiB when that is
// exact, else in bytes.
func Size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
