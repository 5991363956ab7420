package bundle

import (
	"crypto/sha256"
	"encoding/binary"
)

// The fixed part of the format. Magic and the format version occupy the first
// 12 bytes in every version, so any reader can tell a bundle, and its version,
// before it knows the layout of the rest.
const (
	// Magic starts every bundle file.
	Magic = "TRTCBNDL"
	// FormatVersion is the version this package writes, and the newest it
	// reads.
	FormatVersion = 1
	// HeaderSize is the size of the fixed header at offset 0.
	HeaderSize = 64
	// BlobAlignment is the alignment of every blob's offset in the file, so a
	// mapped blob can be used in place as tensor data.
	BlobAlignment = 64
)

// Header field offsets (format version 1).
const (
	offMagic          = 0
	offVersion        = 8
	offFlags          = 12
	offManifestOffset = 16
	offManifestLength = 24
	offDigest         = 32 // sha256(header[0:32] || manifest)
)

// header is the decoded fixed header.
type header struct {
	version        uint32
	flags          uint32
	manifestOffset uint64
	manifestLength uint64
	digest         [sha256.Size]byte
}

func (h *header) encode() []byte {
	b := make([]byte, HeaderSize)
	copy(b[offMagic:], Magic)
	binary.LittleEndian.PutUint32(b[offVersion:], h.version)
	binary.LittleEndian.PutUint32(b[offFlags:], h.flags)
	binary.LittleEndian.PutUint64(b[offManifestOffset:], h.manifestOffset)
	binary.LittleEndian.PutUint64(b[offManifestLength:], h.manifestLength)
	copy(b[offDigest:], h.digest[:])
	return b
}

// decodeHeader reads a header from b, which holds at least HeaderSize bytes
// and starts with Magic.
func decodeHeader(b []byte) header {
	var h header
	h.version = binary.LittleEndian.Uint32(b[offVersion:])
	h.flags = binary.LittleEndian.Uint32(b[offFlags:])
	h.manifestOffset = binary.LittleEndian.Uint64(b[offManifestOffset:])
	h.manifestLength = binary.LittleEndian.Uint64(b[offManifestLength:])
	copy(h.digest[:], b[offDigest:])
	return h
}

// manifestDigest is the checksum stored in the header: it covers the header
// fields before it as well as the manifest, so every header byte and every
// manifest byte is checked.
func manifestDigest(head []byte, manifest []byte) [sha256.Size]byte {
	d := sha256.New()
	d.Write(head[:offDigest])
	d.Write(manifest)
	var out [sha256.Size]byte
	d.Sum(out[:0])
	return out
}

// alignUp rounds n up to a multiple of a, a power of two.
func alignUp(n, a uint64) uint64 { return (n + a - 1) &^ (a - 1) }
