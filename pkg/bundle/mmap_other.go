//go:build !linux

package bundle

import (
	"errors"
	"os"
)

// mapFile is not available here; Open reads the file instead.
func mapFile(f *os.File, size int) ([]byte, func([]byte) error, error) {
	return nil, nil, errors.New("mmap is not used on this platform")
}
