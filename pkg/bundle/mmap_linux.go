//go:build linux

package bundle

import (
	"os"
	"syscall"
)

// mapFile maps size bytes of f read-only. An empty file maps to an empty
// slice.
func mapFile(f *os.File, size int) ([]byte, func([]byte) error, error) {
	if size == 0 {
		return []byte{}, nil, nil
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return data, syscall.Munmap, nil
}
