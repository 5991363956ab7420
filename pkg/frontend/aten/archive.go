package aten

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// SchemaMajor is the export serialization schema major version trtc reads.
// Minor versions only add fields, so every minor of this major is read.
const SchemaMajor = 8

// archiveVersions are the archive_version values trtc knows.
var archiveVersions = map[string]bool{"0": true}

// maxEntry bounds one archive entry's size (weights included), so a zip
// bomb cannot exhaust memory.
const maxEntry = 4 << 30

// archive is an opened .pt2 file.
type archive struct {
	files map[string]*zip.File
	root  string // "model/" (the folder that holds archive_format)
	name  string // model name: models/<name>.json
}

func openArchive(data []byte) (*archive, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
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
	format, err := a.read("archive_format")
	if err != nil {
		return nil, err
	}
	if f := strings.TrimSpace(string(format)); f != "pt2" {
		return nil, fmt.Errorf("not a torch.export archive: archive_format is %q, want \"pt2\"", f)
	}
	if v, err := a.read("archive_version"); err == nil {
		if s := strings.TrimSpace(string(v)); !archiveVersions[s] {
			return nil, fmt.Errorf("torch.export archive version %q is not supported (trtc reads version 0)", s)
		}
	}
	if b, err := a.read("byteorder"); err == nil {
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

// read returns the bytes of root+rel, or an error naming the entry.
func (a *archive) read(rel string) ([]byte, error) {
	name := a.root + rel
	f, ok := a.files[name]
	if !ok {
		return nil, fmt.Errorf("archive entry %s is missing", name)
	}
	if f.UncompressedSize64 > maxEntry {
		return nil, fmt.Errorf("archive entry %s is %d bytes, over trtc's limit of %d", name, f.UncompressedSize64, int64(maxEntry))
	}
	r, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("archive entry %s: %v", name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxEntry+1))
	if err != nil {
		return nil, fmt.Errorf("archive entry %s: %v", name, err)
	}
	return b, nil
}

func (a *archive) has(rel string) bool { _, ok := a.files[a.root+rel]; return ok }

// readJSON decodes root+rel into v.
func (a *archive) readJSON(rel string, v any) error {
	b, err := a.read(rel)
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
