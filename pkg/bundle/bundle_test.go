package bundle

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/trtc-dev/trtc/internal/sizes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"google.golang.org/protobuf/proto"

	bundlepb "github.com/trtc-dev/trtc/proto/bundle"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestRoundTrip(t *testing.T) {
	want, blobs := fixture()
	path, _ := writeFixture(t)
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	got := proto.Clone(b.Manifest()).(*bundlepb.Manifest)
	if got.FormatVersion != FormatVersion || len(got.Blobs) != len(blobs) {
		t.Fatalf("format version %d, %d blobs; want %d, %d", got.FormatVersion, len(got.Blobs), FormatVersion, len(blobs))
	}
	got.FormatVersion, got.Blobs = 0, nil
	if !proto.Equal(got, want) {
		t.Errorf("manifest changed in the round trip:\n got %v\nwant %v", got, want)
	}
	for i, bd := range blobs {
		if !bytes.Equal(b.Blob(i), bd.Data) {
			t.Errorf("blob %d differs", i)
		}
		if k := b.Manifest().Blobs[i].Kind; k != bd.Kind {
			t.Errorf("blob %d kind %v, want %v", i, k, bd.Kind)
		}
	}
}

// Blobs of every awkward size land aligned in the file and in memory.
func TestAlignmentOddSizes(t *testing.T) {
	sizes := []int{0, 1, 63, 64, 65, 127, 128, 1000, 4097}
	m, _ := fixture()
	fb := m.Segments[1].GetFallback()
	fb.Constants = nil
	blobs := []BlobData{{kEngine, pattern(1001, 1)}, {kSubgraph, pattern(7, 2)}}
	_, fixtureBlobs := fixture()
	blobs = append(blobs, BlobData{kConstant, pattern(13, 3)}, fixtureBlobs[3])
	for i, n := range sizes {
		idx := uint32(len(blobs))
		blobs = append(blobs, BlobData{kConstant, pattern(n, byte(i))})
		fb.Constants = append(fb.Constants, &bundlepb.Constant{
			Value: fmt.Sprintf("c%d", i), Blob: idx, Dtype: int32(ir.Uint8), Dims: []int64{int64(n)}})
	}
	fb.Constants = append(fb.Constants, &bundlepb.Constant{Value: "c", Blob: 2, Dtype: int32(ir.Uint8), Dims: []int64{13}})

	path := filepath.Join(t.TempDir(), "odd.trtb")
	if err := Write(path, m, blobs...); err != nil {
		t.Fatal(err)
	}
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i, bd := range blobs {
		off := b.Manifest().Blobs[i].Offset
		if off%BlobAlignment != 0 {
			t.Errorf("blob %d at file offset %d, not aligned to %d", i, off, BlobAlignment)
		}
		got := b.Blob(i)
		if !bytes.Equal(got, bd.Data) {
			t.Errorf("blob %d (%d bytes) differs", i, len(bd.Data))
		}
		if p := uintptr(unsafe.Pointer(unsafe.SliceData(b.data[off:]))); p%BlobAlignment != 0 {
			t.Errorf("blob %d at address %#x, not aligned to %d", i, p, BlobAlignment)
		}
		if cap(got) != len(got) {
			t.Errorf("blob %d: cap %d > len %d lets appends reach the next blob", i, cap(got), len(got))
		}
	}
}

// The heap-copy path used where mmap is not keeps the alignment too.
func TestReadAlignedFallback(t *testing.T) {
	path, want := writeFixture(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := readAligned(f, len(want))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want) || uintptrOf(data)%BlobAlignment != 0 {
		t.Fatalf("readAligned: equal=%v address %#x", bytes.Equal(data, want), uintptrOf(data))
	}
	if _, err := parse(path, data); err != nil {
		t.Fatal(err)
	}
}

func TestTruncated(t *testing.T) {
	path, data := writeFixture(t)
	for cut := 0; cut < len(data); cut++ {
		_, err := parse(path, data[:cut])
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("cut at %d of %d: got %v, want ErrCorrupt", cut, len(data), err)
		}
		if !strings.HasPrefix(err.Error(), "bundle "+path+": ") {
			t.Fatalf("cut at %d: error %q does not name the file", cut, err)
		}
	}
	// Through real files, at a few cuts, including the header and manifest.
	h := decodeHeader(data)
	for _, cut := range []int{0, 5, HeaderSize - 1, HeaderSize, HeaderSize + 100, int(h.manifestOffset), len(data) - 1} {
		p := filepath.Join(t.TempDir(), "cut.trtb")
		if err := os.WriteFile(p, data[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(p); !errors.Is(err, ErrCorrupt) {
			t.Errorf("Open of file cut at %d: got %v, want ErrCorrupt", cut, err)
		}
	}
	_, err := parse("m.trtb", data[:len(data)-1])
	if want := "truncated"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("cut in the manifest: %v, want a message saying %q", err, want)
	}
}

func TestTrailingBytes(t *testing.T) {
	_, data := writeFixture(t)
	_, err := parse("m.trtb", append(data, 0))
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "1 bytes after the manifest") {
		t.Fatalf("got %v", err)
	}
}

// Every single-byte change is detected, with the right class of error.
func TestEveryByteCorruption(t *testing.T) {
	_, data := writeFixture(t)
	h := decodeHeader(data)
	m := &bundlepb.Manifest{}
	if err := proto.Unmarshal(data[h.manifestOffset:], m); err != nil {
		t.Fatal(err)
	}
	inBlob := func(pos uint64) int {
		for i, b := range m.Blobs {
			if pos >= b.Offset && pos < b.Offset+b.Length {
				return i
			}
		}
		return -1
	}
	buf := make([]byte, len(data))
	for pos := range uint64(len(data)) {
		blob := inBlob(pos)
		// Header and manifest: every byte; blobs and padding: a sample.
		if pos >= HeaderSize && pos < h.manifestOffset && pos%5 != 0 {
			continue
		}
		for _, flip := range []byte{0x01, 0x80, 0xff} {
			copy(buf, data)
			buf[pos] ^= flip
			_, err := parse("m.trtb", buf)
			var want error
			switch {
			case pos < offVersion:
				want = ErrNotBundle
			case pos < offFlags:
				want = ErrVersion
				if buf[offVersion+3] == 0 && binary.LittleEndian.Uint32(buf[offVersion:]) < FormatVersion {
					want = ErrCorrupt
				}
			default:
				want = ErrCorrupt
			}
			if !errors.Is(err, want) {
				t.Fatalf("byte %d ^ %#x: got %v, want %v", pos, flip, err, want)
			}
			if blob >= 0 {
				msg := fmt.Sprintf("blob %d (%s): sha256 mismatch", blob, kindName(m.Blobs[blob].Kind))
				if !strings.Contains(err.Error(), msg) {
					t.Fatalf("byte %d in blob %d: %q does not say %q", pos, blob, err, msg)
				}
			}
		}
	}
}

func TestBadMagic(t *testing.T) {
	for _, data := range [][]byte{[]byte("PK\x03\x04 a zip file, not a bundle at all....................................."), []byte("x")} {
		p := filepath.Join(t.TempDir(), "not.trtb")
		os.WriteFile(p, data, 0o644)
		_, err := Open(p)
		if !errors.Is(err, ErrNotBundle) || errors.Is(err, ErrCorrupt) {
			t.Errorf("%q: got %v, want only ErrNotBundle", data[:1], err)
		}
	}
}

func TestNewerVersion(t *testing.T) {
	_, data := writeFixture(t)
	binary.LittleEndian.PutUint32(data[offVersion:], FormatVersion+1)
	_, err := parse("model.trtb", data)
	if !errors.Is(err, ErrVersion) {
		t.Fatalf("got %v, want ErrVersion", err)
	}
	for _, want := range []string{"bundle model.trtb:", "version 2", "version 1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
}

func TestUnknownFlags(t *testing.T) {
	_, data := writeFixture(t)
	binary.LittleEndian.PutUint32(data[offFlags:], 4)
	reseal(data)
	if _, err := parse("m.trtb", data); !errors.Is(err, ErrVersion) || !strings.Contains(err.Error(), "flags 0x4") {
		t.Fatalf("got %v", err)
	}
}

func TestDirectoryIsNotABundle(t *testing.T) {
	if _, err := Open(t.TempDir()); !errors.Is(err, ErrNotBundle) {
		t.Fatalf("got %v", err)
	}
	_, err := Open(filepath.Join(t.TempDir(), "missing.trtb"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.trtb") {
		t.Fatalf("got %v", err)
	}
}

// invalid lists manifests that break one rule each, with what the error says.
var invalid = []struct {
	name string
	edit func(m *bundlepb.Manifest)
	want string
}{
	{"blob index out of range", func(m *bundlepb.Manifest) { m.Segments[0].GetEngine().Blob = 99 },
		"segment 0 (engine): blob 99 does not exist (the bundle has 4 blobs)"},
	{"wrong blob kind", func(m *bundlepb.Manifest) { m.Segments[1].GetFallback().SubgraphBlob = 0 },
		"segment 1 (fallback): subgraph: blob 0 is engine, want subgraph"},
	{"value nobody produced", func(m *bundlepb.Manifest) { m.Segments[1].GetFallback().Inputs[0] = "ghost" },
		`segment 1 (fallback): reads "ghost", which is neither a graph input nor an output of an earlier segment`},
	{"value produced later", func(m *bundlepb.Manifest) { m.Segments[0].GetEngine().Bindings[0].Value = "t2" },
		`segment 0 (engine): reads "t2"`},
	{"graph output not produced", func(m *bundlepb.Manifest) { m.Outputs[0].Name = "nowhere" },
		`graph output "nowhere" is produced by no segment`},
	{"value produced twice", func(m *bundlepb.Manifest) { m.Segments[2].GetEngine().Bindings[1].Value = "t1" },
		`segment 2 (engine): produces "t1", which is already an output of segment 0 (engine)`},
	{"graph input overwritten", func(m *bundlepb.Manifest) { m.Segments[1].GetFallback().Outputs[0] = "x" },
		`produces "x", which is already a graph input`},
	{"duplicate node", func(m *bundlepb.Manifest) { m.Segments[2].GetEngine().Nodes[0].Name = "relu" },
		`segment 2 (engine): node "relu" is also in segment 0`},
	{"duplicate graph input", func(m *bundlepb.Manifest) { m.Inputs[1].Name = "x" },
		`graph input 1 ("x"): duplicate name`},
	{"duplicate engine tensor", func(m *bundlepb.Manifest) { m.Segments[0].GetEngine().Bindings[1].Tensor = "in0" },
		`engine tensor "in0" is bound twice`},
	{"unused blob", func(m *bundlepb.Manifest) { m.Segments[1].GetFallback().Constants = nil },
		"blob 2 (constant) is used by no segment"},
	{"constant size", func(m *bundlepb.Manifest) { m.Segments[1].GetFallback().Constants[0].Dims = []int64{3} },
		`constant "c": blob 2 holds 13 bytes, but uint8[3] needs 3`},
	{"constant huge dims", func(m *bundlepb.Manifest) {
		m.Segments[1].GetFallback().Constants[0].Dims = []int64{1 << 40, 1 << 40}
	}, "are too large"},
	{"profile tensor", func(m *bundlepb.Manifest) { m.Segments[0].GetEngine().Profiles[0].Inputs[0].Tensor = "out0" },
		`profile 0: "out0" is not an input tensor`},
	{"profile order", func(m *bundlepb.Manifest) { m.Segments[0].GetEngine().Profiles[0].Inputs[0].Opt[0] = 9 },
		"want 0 <= min <= opt <= max, have 1, 9, 8"},
	{"shape tensor without values", func(m *bundlepb.Manifest) { m.Segments[0].GetEngine().Bindings[0].ShapeTensor = true },
		`shape-tensor input "in0" has 0/0/0 min/opt/max values`},
	{"shape tensor without profiles", func(m *bundlepb.Manifest) { m.Segments[2].GetEngine().Bindings[0].ShapeTensor = true },
		`has shape-tensor inputs [a] but no profile gives their values`},
	{"shape tensor output", func(m *bundlepb.Manifest) { m.Segments[0].GetEngine().Bindings[1].ShapeTensor = true },
		`output "out0" is marked as a shape-tensor input`},
	{"values of an execution input", func(m *bundlepb.Manifest) {
		s := m.Segments[0].GetEngine().Profiles[0].Inputs[0]
		s.MinValues, s.OptValues, s.MaxValues = []int64{1}, []int64{1}, []int64{1}
	}, `"in0" has values but is not a shape-tensor input`},
	{"shape values order", func(m *bundlepb.Manifest) {
		e := m.Segments[0].GetEngine()
		e.Bindings[0].ShapeTensor = true
		s := e.Profiles[0].Inputs[0]
		s.MinValues, s.OptValues, s.MaxValues = []int64{1, 5}, []int64{2, 4}, []int64{3, 6}
	}, `"in0" value 1: want min <= opt <= max, have 5, 4, 6`},
	{"plugin without hash", func(m *bundlepb.Manifest) { m.Segments[2].GetEngine().Nodes[0].PluginSha256 = nil },
		`node "gelu": plugin sha256 is 0 bytes, want 32`},
	{"plugin record without build ID", func(m *bundlepb.Manifest) {
		m.Plugins = []*bundlepb.Plugin{{Path: "/p/a.so", Sha256: sum([]byte("a")), FallbackOps: []string{"com.acme.X"}}}
	}, `plugin 0 ("/p/a.so"): build ID is empty`},
	{"plugin record bad hash", func(m *bundlepb.Manifest) {
		m.Plugins = []*bundlepb.Plugin{{Path: "/p/a.so", BuildId: "id", Sha256: []byte{1}, FallbackOps: []string{"com.acme.X"}}}
	}, `plugin 0 ("/p/a.so"): sha256 is 1 bytes, want 32`},
	{"plugin record without ops", func(m *bundlepb.Manifest) {
		m.Plugins = []*bundlepb.Plugin{{Path: "/p/a.so", BuildId: "id", Sha256: sum([]byte("a"))}}
	}, `plugin 0 ("/p/a.so"): lists no ops`},
	{"op of two plugins", func(m *bundlepb.Manifest) {
		m.Plugins = []*bundlepb.Plugin{
			{Path: "/p/a.so", BuildId: "id", Sha256: sum([]byte("a")), FallbackOps: []string{"com.acme.X"}},
			{Path: "/p/b.so", BuildId: "id2", Sha256: sum([]byte("b")), EngineOps: []string{"com.acme.X"}},
		}
	}, `plugin 1 ("/p/b.so"): op com.acme.X is also recorded for plugin "/p/a.so"`},
	{"target backend", func(m *bundlepb.Manifest) { m.Segments[0].GetEngine().Target.Backend = "tensorrt" },
		`build target backend "tensorrt" differs from segment backend "reference"`},
	{"no segment kind", func(m *bundlepb.Manifest) { m.Segments[2].Kind = nil }, "segment 2: neither engine nor fallback"},
	{"bad dtype", func(m *bundlepb.Manifest) { m.Inputs[0].Dtype = 99 }, "dtype dtype(99) is not one trtc supports"},
	{"dim unset", func(m *bundlepb.Manifest) { m.Inputs[1].Dims[0].Kind = nil }, "dim 0 has neither a size nor a symbol"},
	{"range of unknown symbol", func(m *bundlepb.Manifest) { m.Inputs[0].Ranges[0].Symbol = "M" },
		`range for symbol "M", which no dim uses`},
	{"source path", func(m *bundlepb.Manifest) { m.Source.Name = "/home/me/model.onnx" }, "is a path; want its base name"},
	{"pinned float input", func(m *bundlepb.Manifest) { m.Inputs[0].Pinned, m.Inputs[0].Dims = true, []*bundlepb.Dim{size(1)} },
		`graph input 0 ("x"): pinned, but dtype float32 is not int32 or int64`},
	{"pinned dynamic input", func(m *bundlepb.Manifest) {
		m.Inputs[1].Pinned, m.Inputs[1].Dims, m.Inputs[1].PinnedValues = true, []*bundlepb.Dim{symbol("K")}, []int64{1}
	}, `graph input 1 ("y"): pinned, but its dims are not static`},
	{"pinned value count", func(m *bundlepb.Manifest) { m.Inputs[1].Pinned, m.Inputs[1].PinnedValues = true, []int64{1, 2, 3} },
		`graph input 1 ("y"): pinned to 3 value(s), but its dims hold 2`},
	{"pinned values without pin", func(m *bundlepb.Manifest) { m.Inputs[1].PinnedValues = []int64{1, 2} },
		`graph input 1 ("y"): has pinned_values but is not pinned`},
	{"pinned output", func(m *bundlepb.Manifest) { m.Outputs[1].Pinned = true },
		`graph output 1 ("t1"): only a graph input can be pinned`},
	{"constant named after an unpinned input", func(m *bundlepb.Manifest) {
		m.Segments[1].GetFallback().Constants[0].Value = "x"
	}, `constant "x": has the name of a graph input or another segment's output`},
	{"no settings", func(m *bundlepb.Manifest) { m.Settings = nil }, "settings are missing"},
	{"override of unknown input", func(m *bundlepb.Manifest) { m.Settings.InputShapes[0].Name = "z" },
		`input shape for "z": not a graph input`},
}

// A value-pinned input: a fallback segment may hold its value as a
// constant of the same name.
func TestPinnedInputConstant(t *testing.T) {
	m, blobs := fixture()
	m.Inputs = append(m.Inputs, &bundlepb.GraphValue{Name: "k", Dtype: int32(ir.Int64), Dims: []*bundlepb.Dim{size(13)},
		Pinned: true, PinnedValues: make([]int64, 13)})
	m.Segments[1].GetFallback().Constants[0].Value = "k"
	if err := Write(filepath.Join(t.TempDir(), "m.trtb"), m, blobs...); err != nil {
		t.Fatal(err)
	}
}

// The writer refuses each invalid manifest, and leaves no file.
func TestCommitRefusesInvalid(t *testing.T) {
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			m, blobs := fixture()
			tc.edit(m)
			dir := t.TempDir()
			path := filepath.Join(dir, "m.trtb")
			err := Write(path, m, blobs...)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant ErrInvalid saying %q", err, tc.want)
			}
			assertEmpty(t, dir)
		})
	}
}

// The reader refuses the same manifests when a file holds them.
func TestOpenRefusesInvalid(t *testing.T) {
	if _, err := parse("m.trtb", assembleFixture(nil)); err != nil {
		t.Fatalf("the hand-assembled fixture should open: %v", err)
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse("m.trtb", assembleFixture(tc.edit))
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant ErrCorrupt saying %q", err, tc.want)
			}
		})
	}
}

// Layout errors that only a hand-made file can have.
func TestOpenRefusesBadLayout(t *testing.T) {
	cases := []struct {
		name string
		edit func(b []*bundlepb.Blob)
		want string
	}{
		{"misaligned", func(b []*bundlepb.Blob) { b[1].Offset += 8 }, "blob 1 (subgraph): offset"},
		{"overlap", func(b []*bundlepb.Blob) { b[1].Offset = b[0].Offset }, "overlaps the header or the previous blob"},
		{"in header", func(b []*bundlepb.Blob) { b[0].Offset = 0 }, "overlaps the header"},
		{"past manifest", func(b []*bundlepb.Blob) { b[3].Length = 1 << 62 }, "run past the blob area"},
		{"alignment", func(b []*bundlepb.Blob) { b[2].Alignment = 48 }, "alignment 48 is not a power of two"},
		{"kind", func(b []*bundlepb.Blob) { b[2].Kind = 9 }, "unknown blob kind"},
		{"hash length", func(b []*bundlepb.Blob) { b[2].Sha256 = b[2].Sha256[:4] }, "sha256 is 4 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, blobs := fixture()
			data := assemble(m, blobs...)
			h := decodeHeader(data)
			mm := &bundlepb.Manifest{}
			if err := proto.Unmarshal(data[h.manifestOffset:], mm); err != nil {
				t.Fatal(err)
			}
			tc.edit(mm.Blobs)
			_, err := parse("m.trtb", assemble(mm, blobs...))
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant ErrCorrupt saying %q", err, tc.want)
			}
		})
	}
}

func TestManifestVersionMismatch(t *testing.T) {
	data := assembleFixture(func(m *bundlepb.Manifest) { m.FormatVersion = 7 })
	if _, err := parse("m.trtb", data); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "manifest format version 7") {
		t.Fatalf("got %v", err)
	}
}

// Many problems are reported together, up to a limit.
func TestProblemsAreCollected(t *testing.T) {
	m, blobs := fixture()
	m.TrtcVersion = ""
	fb := m.Segments[1].GetFallback()
	fb.Inputs = nil
	for i := range 11 {
		fb.Inputs = append(fb.Inputs, fmt.Sprintf("v%d", i))
	}
	err := Write(filepath.Join(t.TempDir(), "m.trtb"), m, blobs...)
	if err == nil || !strings.Contains(err.Error(), "trtc_version is empty") || !strings.Contains(err.Error(), `reads "v0"`) ||
		!strings.Contains(err.Error(), "and 2 more problems") {
		t.Fatalf("got %v", err)
	}
}

// assertEmpty fails unless dir holds nothing (no bundle, no temp file).
func assertEmpty(t *testing.T, dir string, except ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !strings.Contains(strings.Join(except, "\x00"), e.Name()) {
			t.Errorf("%s holds %q", dir, e.Name())
		}
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(filepath.Join(dir, "m.trtb"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddBlob(kEngine, pattern(100, 0)); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	assertEmpty(t, dir)
	if err := w.Abort(); err != nil {
		t.Errorf("second Abort: %v", err)
	}
	if _, err := w.AddBlob(kEngine, nil); err == nil {
		t.Error("AddBlob after Abort succeeded")
	}
	m, _ := fixture()
	if err := w.Commit(m); err == nil {
		t.Error("Commit after Abort succeeded")
	}
	assertEmpty(t, dir)
}

// A Commit that fails at the rename leaves no temp file, and what was at the
// path stays as it was.
func TestCommitRenameFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.trtb")
	// A non-empty directory at the path: rename(2) cannot replace it.
	if err := os.MkdirAll(filepath.Join(path, "keep"), 0o755); err != nil {
		t.Fatal(err)
	}
	m, blobs := fixture()
	if err := Write(path, m, blobs...); err == nil || !strings.Contains(err.Error(), "m.trtb") {
		t.Fatalf("got %v, want a rename error naming the file", err)
	}
	assertEmpty(t, dir, "m.trtb")
	if st, err := os.Stat(filepath.Join(path, "keep")); err != nil || !st.IsDir() {
		t.Errorf("the directory at the path was disturbed: %v", err)
	}
}

// A failed Commit over an existing bundle leaves the old one intact.
func TestFailedCommitKeepsOldBundle(t *testing.T) {
	path, old := writeFixture(t)
	m, blobs := fixture()
	m.Segments[0].GetEngine().Blob = 42
	if err := Write(path, m, blobs...); !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v", err)
	}
	now, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(now, old) {
		t.Fatalf("old bundle changed: %v", err)
	}
	assertEmpty(t, filepath.Dir(path), "model.trtb")
}

// A write error sticks, and Commit then cleans up.
func TestWriteErrorCleansUp(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(filepath.Join(dir, "m.trtb"))
	if err != nil {
		t.Fatal(err)
	}
	w.f.Close() // the next write fails, as on a full disk
	if _, err := w.AddBlob(kEngine, pattern(10, 0)); err == nil {
		t.Fatal("AddBlob on a closed file succeeded")
	}
	m, _ := fixture()
	if err := w.Commit(m); err == nil {
		t.Fatal("Commit after a write error succeeded")
	}
	assertEmpty(t, dir)
}

func TestCreateInMissingDirectory(t *testing.T) {
	_, err := Create(filepath.Join(t.TempDir(), "no", "such", "m.trtb"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("got %v", err)
	}
}

func TestCommitRules(t *testing.T) {
	dir := t.TempDir()
	m, blobs := fixture()

	w, _ := Create(filepath.Join(dir, "a.trtb"))
	m.Blobs = []*bundlepb.Blob{{}}
	if err := w.Commit(m); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "blobs are set") {
		t.Errorf("manifest with blobs: %v", err)
	}
	m.Blobs = nil

	w, _ = Create(filepath.Join(dir, "b.trtb"))
	if _, err := w.AddBlob(bundlepb.BlobKind_BLOB_KIND_UNSPECIFIED, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("blob of unspecified kind: %v", err)
	}
	w.Abort()
	assertEmpty(t, dir)

	path := filepath.Join(dir, "c.trtb")
	w, _ = Create(path)
	for _, b := range blobs {
		w.AddBlob(b.Kind, b.Data)
	}
	if err := w.Commit(m); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(m); err == nil {
		t.Error("second Commit succeeded")
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Commit: %v", err)
	}
	if _, err := Open(path); err != nil {
		t.Errorf("Abort after Commit disturbed the bundle: %v", err)
	}
	if m.FormatVersion != 0 || m.Blobs != nil {
		t.Error("Commit modified the caller's manifest")
	}
}

func TestCloseAndBlobMisuse(t *testing.T) {
	path, _ := writeFixture(t)
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mustPanic(t, "Blob(-1)", func() { b.Blob(-1) })
	mustPanic(t, "Blob(4)", func() { b.Blob(4) })
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	mustPanic(t, "Blob after Close", func() { b.Blob(0) })
	if b.Manifest().TrtcVersion != "test" {
		t.Error("manifest unusable after Close")
	}
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	f()
}

func TestConcurrentReaders(t *testing.T) {
	path, _ := writeFixture(t)
	_, blobs := fixture()
	shared, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 8 {
		wg.Add(2)
		go func() { // its own Bundle
			defer wg.Done()
			b, err := Open(path)
			if err != nil {
				errs <- err
				return
			}
			defer b.Close()
			for i, bd := range blobs {
				if !bytes.Equal(b.Blob(i), bd.Data) {
					errs <- fmt.Errorf("goroutine %d: blob %d differs", g, i)
				}
			}
		}()
		go func() { // the shared one
			defer wg.Done()
			for i, bd := range blobs {
				if !bytes.Equal(shared.Blob(i), bd.Data) || len(shared.Manifest().Segments) != 3 {
					errs <- fmt.Errorf("goroutine %d: shared blob %d differs", g, i)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Replacing a bundle by a new Commit leaves an open reader's mapping intact.
func TestReplaceWhileOpen(t *testing.T) {
	path, _ := writeFixture(t)
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	m, blobs := fixture()
	blobs[0].Data = pattern(1001, 99)
	if err := Write(path, m, blobs...); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Blob(0), pattern(1001, 1)) {
		t.Error("open bundle changed under its reader")
	}
}

// FuzzOpen checks that no input makes the reader panic. Each input is also
// tried with its header checksum recomputed, so that the fuzzer reaches the
// manifest checks behind the checksum (a hostile file can have a valid one).
//
// Run it with a short minimize time; minimization is what is slow here:
//
//	go test ./pkg/bundle -run '^$' -fuzz FuzzOpen -fuzztime 30s -fuzzminimizetime 1s
func FuzzOpen(f *testing.F) {
	sizes.SetBudget(256 << 20) // allocations past it are errors, not out-of-memory deaths
	_, data := writeFixture(f)
	f.Add(data)
	f.Add(data[:HeaderSize])
	f.Add(assembleFixture(func(m *bundlepb.Manifest) { m.Segments[0].GetEngine().Blob = 7 }))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzParse(t, data)
		if len(data) >= HeaderSize && string(data[:len(Magic)]) == Magic {
			h := decodeHeader(data)
			if h.manifestOffset <= uint64(len(data)) && h.manifestLength <= uint64(len(data))-h.manifestOffset {
				d := bytes.Clone(data)
				reseal(d)
				fuzzParse(t, d)
			}
		}
	})
}

func fuzzParse(t *testing.T, data []byte) {
	b, err := parse("fuzz.trtb", data)
	if err != nil {
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNotBundle) && !errors.Is(err, ErrVersion) {
			t.Fatalf("error of no class: %v", err)
		}
		return
	}
	b.data = data
	for i := range b.Manifest().Blobs {
		b.Blob(i)
	}
}

// BenchmarkBundle50MB times writing (with fsync) and opening (with every
// check, sha256 included) a bundle holding a 50 MB engine blob; MB/s counts
// the blob's bytes.
func BenchmarkBundle50MB(b *testing.B) {
	m, blobs := fixture()
	blobs[0].Data = pattern(50<<20, 1)
	path := filepath.Join(b.TempDir(), "big.trtb")
	write := func(b *testing.B) {
		if err := Write(path, m, blobs...); err != nil {
			b.Fatal(err)
		}
	}
	open := func(b *testing.B) {
		bu, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		bu.Close()
	}
	b.Run("Write", func(b *testing.B) {
		b.SetBytes(int64(len(blobs[0].Data)))
		for b.Loop() {
			write(b)
		}
	})
	b.Run("Open", func(b *testing.B) {
		b.SetBytes(int64(len(blobs[0].Data)))
		for b.Loop() {
			open(b)
		}
	})
	b.Run("WriteOpen", func(b *testing.B) {
		b.SetBytes(int64(len(blobs[0].Data)))
		for b.Loop() {
			write(b)
			open(b)
		}
	})
}
