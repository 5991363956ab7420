package bundle

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"github.com/trtc-dev/trtc/internal/atomicfile"
	"math"
	"os"
	"path/filepath"
	"runtime"

	"google.golang.org/protobuf/proto"

	bundlepb "github.com/trtc-dev/trtc/proto/bundle"
)

// Writer writes a bundle atomically: blobs stream into a temporary file in
// the destination's directory, and Commit renames it over the destination
// only once everything is written and synced. A Writer is not safe for
// concurrent use.
type Writer struct {
	path   string
	target string // path, or the file a link at path points to
	tmp    string
	f      *os.File
	off    uint64 // end of what is written
	blobs  []*bundlepb.Blob
	err    error // sticky: the first write error
	done   bool  // committed or aborted
}

// Create starts a bundle that Commit will write to path. Nothing appears at
// path until Commit succeeds.
func Create(path string) (*Writer, error) {
	// An existing path must be a regular file (or a link to one, which is
	// followed): a device, FIFO or socket at -o is refused, not replaced.
	target, err := atomicfile.Target(path)
	if err != nil {
		return nil, &Error{Path: path, Err: err}
	}
	f, err := atomicfile.CreateTemp(target)
	if err != nil {
		return nil, &Error{Path: path, Err: err}
	}
	w := &Writer{path: path, target: target, tmp: f.Name(), f: f}
	// The header is written last, by Commit; reserve its bytes.
	if _, err := f.Write(make([]byte, HeaderSize)); err != nil {
		w.cleanup()
		return nil, &Error{Path: path, Err: err}
	}
	w.off = HeaderSize
	return w, nil
}

// AddBlob appends data as a blob of the given kind, aligned to BlobAlignment,
// and returns its index for the manifest to refer to.
func (w *Writer) AddBlob(kind bundlepb.BlobKind, data []byte) (uint32, error) {
	if err := w.usable(); err != nil {
		return 0, err
	}
	if _, ok := bundlepb.BlobKind_name[int32(kind)]; !ok || kind == bundlepb.BlobKind_BLOB_KIND_UNSPECIFIED {
		return 0, newError(w.path, ErrInvalid, "blob %d: unknown blob kind %d", len(w.blobs), int32(kind))
	}
	if len(w.blobs) == math.MaxUint32 {
		return 0, newError(w.path, ErrInvalid, "too many blobs")
	}
	start := alignUp(w.off, BlobAlignment)
	if pad := start - w.off; pad > 0 {
		w.write(make([]byte, pad))
	}
	w.write(data)
	if w.err != nil {
		return 0, &Error{Path: w.path, Err: w.err}
	}
	sum := sha256.Sum256(data)
	w.blobs = append(w.blobs, &bundlepb.Blob{
		Kind:      kind,
		Offset:    start,
		Length:    uint64(len(data)),
		Sha256:    sum[:],
		Alignment: BlobAlignment,
	})
	return uint32(len(w.blobs) - 1), nil
}

func (w *Writer) write(b []byte) {
	if w.err != nil {
		return
	}
	n, err := w.f.Write(b)
	w.off += uint64(n)
	w.err = err
}

func (w *Writer) usable() error {
	if w.done {
		return newError(w.path, nil, "writer already committed or aborted")
	}
	if w.err != nil {
		return &Error{Path: w.path, Err: w.err}
	}
	return nil
}

// Commit checks the manifest, writes it and the header, syncs the file,
// renames it to the destination and syncs the directory. The writer fills in
// the manifest's format version and blobs (the caller leaves blobs empty);
// the caller's message is not modified.
//
// On error nothing is left behind: the temporary file is removed, and path
// is as it was before (if the final directory sync fails after the rename,
// the new file is removed too). A manifest that breaks the format's rules is
// refused with an error matching ErrInvalid, before anything is renamed.
func (w *Writer) Commit(manifest *bundlepb.Manifest) (err error) {
	if err := w.usable(); err != nil {
		if !w.done {
			w.cleanup()
		}
		return err
	}
	defer func() {
		if err != nil {
			w.cleanup()
		}
	}()

	if len(manifest.GetBlobs()) != 0 {
		return newError(w.path, ErrInvalid, "manifest blobs are set; the writer sets them from AddBlob")
	}
	if v := manifest.GetFormatVersion(); v != 0 && v != FormatVersion {
		return newError(w.path, ErrInvalid, "manifest format version %d; this writer writes version %d", v, FormatVersion)
	}
	m := proto.Clone(manifest).(*bundlepb.Manifest)
	m.FormatVersion = FormatVersion
	m.Blobs = w.blobs

	var p problems
	checkLayout(&p, m.Blobs, w.off)
	checkManifest(&p, m)
	if !p.ok() {
		return &Error{Path: w.path, Kind: ErrInvalid, Err: p.err()}
	}
	mb, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return &Error{Path: w.path, Err: fmt.Errorf("encoding the manifest: %w", err)}
	}

	h := header{version: FormatVersion, manifestOffset: w.off, manifestLength: uint64(len(mb))}
	head := h.encode()
	h.digest = manifestDigest(head, mb)
	head = h.encode()
	w.write(mb)
	if w.err == nil {
		_, w.err = w.f.WriteAt(head, 0)
	}
	if w.err == nil {
		w.err = w.f.Sync()
	}
	if cerr := w.f.Close(); w.err == nil {
		w.err = cerr
	}
	w.f = nil
	if w.err != nil {
		return &Error{Path: w.path, Err: w.err}
	}
	if err := os.Rename(w.tmp, w.target); err != nil {
		return &Error{Path: w.path, Err: err}
	}
	atomicfile.Release(w.tmp)
	w.done = true
	if err := syncDir(filepath.Dir(w.target)); err != nil {
		os.Remove(w.target)
		return &Error{Path: w.path, Err: fmt.Errorf("syncing the directory: %w", err)}
	}
	return nil
}

// Abort discards the bundle: the temporary file is removed and path is left
// as it was. Abort after Commit, or twice, does nothing.
func (w *Writer) Abort() error {
	if w.done {
		return nil
	}
	return w.cleanup()
}

func (w *Writer) cleanup() error {
	w.done = true
	var errs []error
	if w.f != nil {
		errs = append(errs, w.f.Close())
		w.f = nil
	}
	if err := os.Remove(w.tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	atomicfile.Release(w.tmp)
	if err := errors.Join(errs...); err != nil {
		return &Error{Path: w.path, Err: err}
	}
	return nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be opened for sync there
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// BlobData is one blob for Write.
type BlobData struct {
	Kind bundlepb.BlobKind
	Data []byte
}

// Write writes a bundle in one call: blobs get indices in the order given.
func Write(path string, manifest *bundlepb.Manifest, blobs ...BlobData) error {
	w, err := Create(path)
	if err != nil {
		return err
	}
	for _, b := range blobs {
		if _, err := w.AddBlob(b.Kind, b.Data); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Commit(manifest)
}
