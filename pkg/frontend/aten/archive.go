package aten

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/trtc-dev/trtc/internal/sizes"
	"io"
	"math"
	"path"
	"sort"
	"strings"
)

// SchemaMajor is the export serialization schema major version trtc reads.
// Minor versions only add fields, so every minor of this major is read.
const SchemaMajor = 8

// archiveVersions are the archive_version values trtc knows.
var archiveVersions = map[string]bool{"0": true}

// Limits on what the archive's entries may expand to, so that a zip bomb
// cannot exhaust memory or time. Each entry is read only after its declared
// size (the central directory's) passes three checks: the limit for its kind
// (a few bytes for the marker files, maxJSON for the program and configs,
// the memory budget for weights), a total over the whole archive (the
// memory budget: every entry read stays in memory), and a ratio against its
// compressed size that deflate cannot exceed (maxRatio). The reader then
// stops at the declared size: an entry that inflates to more is an error.
const (
	maxMarker = 4 << 10   // archive_format, archive_version, byteorder
	maxJSON   = 512 << 20 // models/*.json and the weights/constants configs
	// maxRatio is deflate's largest expansion (1032:1) with a margin;
	// stored entries have ratio 1.
	maxRatio = 1100
)

// archive is an opened .pt2 file.
type archive struct {
	files    map[string]*zip.File
	root     string // "model/" (the folder that holds archive_format)
	name     string // model name: models/<name>.json
	consumed int64  // bytes of entries read so far (against the total budget)
}

func openArchive(data []byte) (*archive, error) {
	return openArchiveReader(bytes.NewReader(data), int64(len(data)))
}

func openArchiveReader(r io.ReaderAt, size int64) (*archive, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a torch.export archive: not a readable zip file: %v", err)
	}
	a := &archive{files: map[string]*zip.File{}}
	var roots []string
	for _, f := range zr.File {
		a.files[f.Name] = f
		if path.Base(f.Name) == "archive_format" {
			roots = append(roots, strings.TrimSuffix(f.Name, "archive_format"))
		}
	}
	switch len(roots) {
	case 0:
		return nil, errors.New("not a torch.export archive: the zip has no archive_format entry (write it with torch.export.save)")
	case 1:
	default:
		sort.Strings(roots)
		return nil, fmt.Errorf("not a torch.export archive: archive_format found in several folders (%s)", strings.Join(roots, ", "))
	}
	a.root = roots[0]
	format, err := a.readLimited("archive_format", maxMarker)
	if err != nil {
		return nil, err
	}
	if f := strings.TrimSpace(string(format)); f != "pt2" {
		return nil, fmt.Errorf("not a torch.export archive: archive_format is %q, want \"pt2\"", f)
	}
	if v, err := a.readLimited("archive_version", maxMarker); err == nil {
		if s := strings.TrimSpace(string(v)); !archiveVersions[s] {
			return nil, fmt.Errorf("torch.export archive version %q is not supported (trtc reads version 0)", s)
		}
	}
	if b, err := a.readLimited("byteorder", maxMarker); err == nil {
		if s := strings.TrimSpace(string(b)); s != "little" {
			return nil, fmt.Errorf("torch.export archive byte order is %q; trtc reads little-endian archives only", s)
		}
	}
	var models []string
	for name := range a.files {
		if rest, ok := strings.CutPrefix(name, a.root+"models/"); ok && strings.HasSuffix(rest, ".json") && !strings.Contains(rest, "/") {
			models = append(models, strings.TrimSuffix(rest, ".json"))
		}
	}
	sort.Strings(models)
	switch {
	case len(models) == 0:
		return nil, fmt.Errorf("not a torch.export archive: no %smodels/<name>.json (the serialized program)", a.root)
	case len(models) == 1:
		a.name = models[0]
	default:
		for _, m := range models {
			if m == "model" {
				a.name = m
			}
		}
		if a.name == "" {
			return nil, fmt.Errorf("the archive holds several programs (%s); trtc compiles one", strings.Join(models, ", "))
		}
	}
	return a, nil
}

// read returns the bytes of root+rel (a weights file: only the memory
// budget limits it), or an error naming the entry.
func (a *archive) read(rel string) ([]byte, error) {
	return a.readLimited(rel, 0)
}

// size is the declared uncompressed size of root+rel.
func (a *archive) size(rel string) (int64, bool) {
	f, ok := a.files[a.root+rel]
	if !ok || f.UncompressedSize64 > math.MaxInt64 {
		return 0, false
	}
	return int64(f.UncompressedSize64), true
}

// readLimited reads root+rel if its declared size is at most limit (0: the
// memory budget), fits what is left of the archive's total budget and has a
// ratio to its compressed size that deflate can produce.
func (a *archive) readLimited(rel string, limit int64) ([]byte, error) {
	name := a.root + rel
	f, ok := a.files[name]
	if !ok {
		return nil, fmt.Errorf("archive entry %s is missing", name)
	}
	budget := sizes.Budget()
	if limit <= 0 || limit > budget {
		limit = budget
	}
	declared := f.UncompressedSize64
	switch {
	case declared > uint64(limit):
		return nil, fmt.Errorf("archive entry %s declares %s, over the limit of %s for it", name, sizes.Human(int64(min(declared, math.MaxInt64))), sizes.Human(limit))
	case int64(declared) > budget-a.consumed:
		return nil, fmt.Errorf("archive entry %s declares %s; with the %s already read that is over the memory budget of %s (--max-memory)",
			name, sizes.Human(int64(declared)), sizes.Human(a.consumed), sizes.Human(budget))
	case f.Method != zip.Store && declared > f.CompressedSize64*maxRatio+4096:
		return nil, fmt.Errorf("archive entry %s declares %s from %d compressed bytes, a ratio no deflate stream reaches (a zip bomb?)", name, sizes.Human(int64(declared)), f.CompressedSize64)
	case f.Method == zip.Store && declared != f.CompressedSize64:
		return nil, fmt.Errorf("archive entry %s is stored uncompressed but declares %d bytes and %d compressed", name, declared, f.CompressedSize64)
	}
	if err := sizes.Check("archive entry "+name, nil, "", int64(declared)); err != nil {
		return nil, err
	}
	r, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("archive entry %s: %v", name, err)
	}
	defer r.Close()
	b := make([]byte, declared)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("archive entry %s: %v (declared %d bytes)", name, err, declared)
	}
	// At its declared size the entry must end (archive/zip then checks the
	// CRC): more data, or a reader error, means the header lies.
	var one [1]byte
	if n, err := r.Read(one[:]); n > 0 || err != io.EOF {
		return nil, fmt.Errorf("archive entry %s inflates to more than its declared %d bytes, or is damaged (%v)", name, declared, err)
	}
	a.consumed += int64(declared)
	return b, nil
}

func (a *archive) has(rel string) bool { _, ok := a.files[a.root+rel]; return ok }

// readJSON decodes root+rel into v.
func (a *archive) readJSON(rel string, v any) error {
	b, err := a.readLimited(rel, maxJSON)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("archive entry %s%s is not valid JSON for the export schema: %v", a.root, rel, err)
	}
	return nil
}
