package bundle

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"github.com/trtc-dev/trtc/internal/safefile"
	"io"
	"os"
	"sync"
	"unsafe"

	"google.golang.org/protobuf/proto"

	bundlepb "github.com/trtc-dev/trtc/proto/bundle"
)

// Bundle is an open, fully checked bundle file. Its methods are safe for
// concurrent use; Close must not race with them.
type Bundle struct {
	path     string
	manifest *bundlepb.Manifest

	mu      sync.Mutex
	data    []byte             // the whole file: a read-only mapping or a heap copy
	release func([]byte) error // unmaps data; nil for a heap copy
}

// Open maps the bundle at path read-only (reading it into memory where
// mapping is not available) and checks all of it: header, manifest checksum,
// manifest content, blob layout and every blob's sha256. It returns a Bundle
// only if every check passes; otherwise an *Error that matches ErrNotBundle,
// ErrVersion or ErrCorrupt (or wraps the I/O error).
func Open(path string) (*Bundle, error) {
	f, _, err := safefile.Open(path)
	if err != nil {
		var nr *safefile.NotRegularError
		if errors.As(err, &nr) {
			return nil, newError(path, ErrNotBundle, "%s, not a regular file", nr.Kind)
		}
		return nil, &Error{Path: path, Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &Error{Path: path, Err: err}
	}
	if !st.Mode().IsRegular() {
		return nil, newError(path, ErrNotBundle, "not a regular file")
	}
	size := st.Size()
	if size < 0 || int64(int(size)) != size {
		return nil, newError(path, ErrCorrupt, "file size %d is too large for this machine", size)
	}
	data, release, err := mapFile(f, int(size))
	if err != nil {
		data, err = readAligned(f, int(size))
		release = nil
	}
	if err != nil {
		return nil, &Error{Path: path, Err: err}
	}
	b, err := parse(path, data)
	if err != nil {
		if release != nil {
			release(data)
		}
		return nil, err
	}
	b.data, b.release = data, release
	return b, nil
}

// readAligned reads size bytes from f into a buffer whose start is aligned to
// BlobAlignment, so blobs keep their alignment in memory.
func readAligned(f *os.File, size int) ([]byte, error) {
	buf := make([]byte, size+BlobAlignment)
	skip := 0
	if r := uintptrOf(buf) % BlobAlignment; r != 0 {
		skip = int(BlobAlignment - r)
	}
	buf = buf[skip : skip+size : skip+size]
	if _, err := f.ReadAt(buf, 0); err != nil && err != io.EOF {
		return nil, err
	}
	return buf, nil
}

func uintptrOf(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// parse checks data, the whole content of the file named path, and returns
// the Bundle it holds (with data not yet attached).
func parse(path string, data []byte) (*Bundle, error) {
	corrupt := func(format string, args ...any) error {
		return newError(path, ErrCorrupt, format, args...)
	}
	size := uint64(len(data))

	// Magic and version come first: they are the same in every version.
	if len(data) < len(Magic) {
		if bytes.HasPrefix([]byte(Magic), data) {
			return nil, corrupt("truncated: the file is %d bytes, shorter than the %d-byte header", size, HeaderSize)
		}
		return nil, newError(path, ErrNotBundle, "not a trtc bundle (the file is %d bytes and does not start with %q)", size, Magic)
	}
	if string(data[:len(Magic)]) != Magic {
		return nil, newError(path, ErrNotBundle, "not a trtc bundle (it starts with %q, not %q)", data[:len(Magic)], Magic)
	}
	if len(data) < HeaderSize {
		return nil, corrupt("truncated: the file is %d bytes, shorter than the %d-byte header", size, HeaderSize)
	}
	h := decodeHeader(data)
	switch {
	case h.version > FormatVersion:
		return nil, newError(path, ErrVersion, "format version %d is newer than this trtc reads (version %d); use a newer trtc", h.version, FormatVersion)
	case h.version < FormatVersion:
		return nil, corrupt("format version %d is not a valid version", h.version)
	}

	// Where the manifest lies: right after the blobs, ending the file.
	mo, ml := h.manifestOffset, h.manifestLength
	switch {
	case mo < HeaderSize || mo > size:
		if mo > size && mo >= HeaderSize {
			return nil, corrupt("truncated: the manifest starts at offset %d, past the end of the %d-byte file", mo, size)
		}
		return nil, corrupt("manifest offset %d is outside the file (%d bytes)", mo, size)
	case ml > size-mo:
		return nil, corrupt("truncated: the manifest ends at offset %d, past the end of the %d-byte file", mo+ml, size)
	case mo+ml != size:
		return nil, corrupt("%d bytes after the manifest, which should end the file", size-mo-ml)
	}
	manifestBytes := data[mo : mo+ml]
	if manifestDigest(data, manifestBytes) != h.digest {
		return nil, corrupt("header or manifest checksum mismatch")
	}
	if h.flags != 0 {
		return nil, newError(path, ErrVersion, "header flags %#x are unknown to this trtc (format version %d)", h.flags, FormatVersion)
	}

	m := &bundlepb.Manifest{}
	if err := proto.Unmarshal(manifestBytes, m); err != nil {
		return nil, corrupt("manifest does not decode: %v", err)
	}
	if m.GetFormatVersion() != h.version {
		return nil, corrupt("manifest format version %d differs from the header's %d", m.GetFormatVersion(), h.version)
	}

	var p problems
	checkLayout(&p, m.GetBlobs(), mo)
	if !p.ok() {
		return nil, &Error{Path: path, Kind: ErrCorrupt, Err: p.err()}
	}
	if off, ok := checkPadding(data[:mo], m.GetBlobs()); !ok {
		return nil, corrupt("nonzero byte at offset %d, between blobs", off)
	}
	for i, b := range m.GetBlobs() {
		sum := sha256.Sum256(data[b.GetOffset() : b.GetOffset()+b.GetLength()])
		if !bytes.Equal(sum[:], b.GetSha256()) {
			p.addf("blob %d (%s): sha256 mismatch", i, kindName(b.GetKind()))
		}
	}
	checkManifest(&p, m)
	if !p.ok() {
		return nil, &Error{Path: path, Kind: ErrCorrupt, Err: p.err()}
	}
	return &Bundle{path: path, manifest: m}, nil
}

// checkPadding reports the first nonzero byte of data outside the header and
// the blobs (whose layout is already checked), so that every byte of a
// bundle is covered by a check.
func checkPadding(data []byte, blobs []*bundlepb.Blob) (uint64, bool) {
	gap := func(from, to uint64) (uint64, bool) {
		for k := from; k < to; k++ {
			if data[k] != 0 {
				return k, false
			}
		}
		return 0, true
	}
	at := uint64(HeaderSize)
	for _, b := range blobs {
		if off, ok := gap(at, b.GetOffset()); !ok {
			return off, false
		}
		at = b.GetOffset() + b.GetLength()
	}
	return gap(at, uint64(len(data)))
}

// Path is the path the bundle was opened from.
func (b *Bundle) Path() string { return b.path }

// Manifest is the bundle's checked manifest. Callers must not modify it. It
// stays valid after Close.
func (b *Bundle) Manifest() *bundlepb.Manifest { return b.manifest }

// Blob returns blob i's bytes without copying: a slice of the read-only
// mapping, aligned to BlobAlignment in memory. Writing to it faults. It is
// valid until Close. Blob panics if i is out of range or the bundle is closed.
func (b *Bundle) Blob(i int) []byte {
	blobs := b.manifest.GetBlobs()
	if i < 0 || i >= len(blobs) {
		panic(fmt.Sprintf("bundle %s: blob %d out of range (%d blobs)", b.path, i, len(blobs)))
	}
	if b.data == nil {
		panic(fmt.Sprintf("bundle %s: Blob(%d) after Close", b.path, i))
	}
	off, n := blobs[i].GetOffset(), blobs[i].GetLength()
	return b.data[off : off+n : off+n]
}

// Close releases the mapping. Slices from Blob must not be used after it.
// Calling Close again does nothing.
func (b *Bundle) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, release := b.data, b.release
	b.data, b.release = nil, nil
	if release == nil || data == nil {
		return nil
	}
	if err := release(data); err != nil {
		return &Error{Path: b.path, Err: err}
	}
	return nil
}
