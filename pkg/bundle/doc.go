// Package bundle writes and reads trtc bundle files (.trtb): one file holding
// a compiled model's engines, fallback subgraphs and constants, described by a
// protobuf manifest (proto/bundle). docs/bundle-format.md describes the
// format byte by byte.
//
// Writing:
//
//	w, err := bundle.Create(path)
//	idx, err := w.AddBlob(bundlepb.BlobKind_BLOB_KIND_ENGINE, engine)
//	... // build the manifest, referring to blobs by idx
//	err = w.Commit(manifest) // or w.Abort()
//
// Reading:
//
//	b, err := bundle.Open(path)
//	defer b.Close()
//	m := b.Manifest()
//	engine := b.Blob(int(m.Segments[0].GetEngine().Blob))
//
// Invariants:
//
//   - A file at a bundle's path is always complete. The writer streams into a
//     temporary file in the same directory and renames it over the path only
//     after the manifest and header are written and the file is fsynced; the
//     directory is fsynced after the rename. If Commit fails, or Abort is
//     called, the temporary file is removed and the path is left as it was.
//   - Commit refuses (ErrInvalid) a manifest that Open would refuse, so every
//     bundle this package writes opens.
//   - Open returns a Bundle only after checking everything: magic, format
//     version, header fields, the checksum of header and manifest, the
//     manifest's content (names, blob references and kinds, segment data
//     flow), the blob layout, that padding is zero, and every blob's sha256.
//     Every byte of the file is covered by some check. No content, however
//     malformed, makes Open panic.
//   - Errors are *Error values naming the file and what is wrong, matching
//     ErrNotBundle, ErrVersion or ErrCorrupt (reading) or ErrInvalid
//     (writing) with errors.Is; I/O errors wrap the os error instead.
//   - Every blob's offset is a multiple of BlobAlignment (64) in the file and
//     in memory: Blob returns a zero-copy slice of a read-only mapping (a
//     64-byte-aligned heap copy where mapping is unavailable). Writing to it
//     faults. It is valid until Close; the Manifest stays valid after Close.
//   - A Bundle's methods are safe for concurrent use, except Close, which
//     must not race with them. A Writer is not safe for concurrent use.
//   - A mapped file must not be truncated in place while open (the process
//     would fault). Bundles are only ever replaced by rename, which leaves an
//     open mapping intact.
//   - The manifest's blobs and format version belong to the writer: callers
//     of Commit leave them unset.
package bundle
