// Package safefile opens the files trtc reads (models, external data,
// tensors, bundles, configs, plugins, timing caches) so that a careless or
// hostile path cannot hang or exhaust it: the file is opened with O_NONBLOCK
// (opening a FIFO never waits for a writer) and its type is checked on the
// open descriptor before a byte is read. Only regular files are accepted;
// symlinks are followed, and what they point to must be a regular file
// (so /dev/zero, a FIFO, a socket or a directory is refused, directly or
// through a link). Reads are bounded by the file's real size and by a limit
// the caller derives from the format, and the buffer is checked against the
// memory budget (package sizes) before it is allocated.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/trtc-dev/trtc/internal/sizes"
)

// NotRegularError is a path that is not a regular file.
type NotRegularError struct {
	Path string
	Kind string // "a directory", "a character device", "a FIFO", ...
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, e.Kind)
}

// Kind describes a file mode for messages.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "a regular file"
}

// Open opens path for reading without blocking and checks that it is a
// regular file. The descriptor is switched back to blocking mode.
func Open(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, &NotRegularError{Path: path, Kind: Kind(st.Mode())}
	}
	if err := syscall.SetNonblock(int(f.Fd()), false); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// Check opens path as Open does and closes it: for files that another
// library reads by name (plugin.Open, viper), so that it never meets a FIFO
// or a device.
func Check(path string) error {
	f, _, err := Open(path)
	if err != nil {
		return err
	}
	return f.Close()
}

// TooLargeError is a file over the size limit of its format.
type TooLargeError struct {
	Path        string
	Size, Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is %s, over the %s limit for this kind of file", e.Path, sizes.Human(e.Size), sizes.Human(e.Limit))
}

// ReadFile reads a whole regular file of at most limit bytes (limit <= 0:
// only the memory budget bounds it). The buffer is sized from the file's
// real size, checked against the budget first, and a file that grows while
// it is read is an error rather than a longer read.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, st, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := st.Size()
	if limit > 0 && size > limit {
		return nil, &TooLargeError{Path: path, Size: size, Limit: limit}
	}
	if err := sizes.Check(fmt.Sprintf("file %s", path), nil, "", size); err != nil {
		return nil, err
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(f, buf); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: shrank while it was read (%d bytes expected)", path, size)
		}
		return nil, err
	}
	var one [1]byte
	if n, _ := f.Read(one[:]); n > 0 {
		return nil, fmt.Errorf("%s: grew while it was read (over %d bytes)", path, size)
	}
	return buf, nil
}
