package bundle

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"

	bundlepb "github.com/trtc-dev/trtc/proto/bundle"

	"github.com/trtc-dev/trtc/pkg/ir"
)

const (
	kEngine   = bundlepb.BlobKind_BLOB_KIND_ENGINE
	kSubgraph = bundlepb.BlobKind_BLOB_KIND_SUBGRAPH
	kConstant = bundlepb.BlobKind_BLOB_KIND_CONSTANT
	dirIn     = bundlepb.Direction_DIRECTION_INPUT
	dirOut    = bundlepb.Direction_DIRECTION_OUTPUT
)

func size(n int64) *bundlepb.Dim    { return &bundlepb.Dim{Kind: &bundlepb.Dim_Size{Size: n}} }
func symbol(s string) *bundlepb.Dim { return &bundlepb.Dim{Kind: &bundlepb.Dim_Symbol{Symbol: s}} }

func sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

// pattern is n deterministic bytes that differ from blob to blob.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31) ^ seed
	}
	return b
}

// fixture is a valid bundle's manifest (without blobs) and its blobs, in
// index order: engine, subgraph, constant (uint8[13]), engine.
//
//	x, y --engine 0--> t1 --fallback(t1, y, const c)--> t2 --engine 3--> out
func fixture() (*bundlepb.Manifest, []BlobData) {
	blobs := []BlobData{
		{kEngine, pattern(1001, 1)},
		{kSubgraph, pattern(7, 2)},
		{kConstant, pattern(13, 3)},
		{kEngine, pattern(65, 4)},
	}
	min1, max8 := int64(1), int64(8)
	m := &bundlepb.Manifest{
		TrtcVersion: "test",
		Source: &bundlepb.SourceModel{Name: "model.onnx", Sha256: sum([]byte("model")),
			Format: bundlepb.ModelFormat_MODEL_FORMAT_ONNX, Size: 5},
		Settings: &bundlepb.Settings{MinBlockSize: 5, Backend: "reference", FallbackOps: []string{"Mul"},
			InputShapes: []*bundlepb.InputShape{{Name: "x", Dims: []*bundlepb.Dim{symbol("N"), size(3)}}}},
		Inputs: []*bundlepb.GraphValue{
			{Name: "x", Dtype: int32(ir.Float32), Dims: []*bundlepb.Dim{symbol("N"), size(3)},
				Ranges: []*bundlepb.SymbolRange{{Symbol: "N", Min: &min1, Max: &max8}}},
			{Name: "y", Dtype: int32(ir.Int64), Dims: []*bundlepb.Dim{size(2)}},
		},
		Outputs: []*bundlepb.GraphValue{
			{Name: "out", Dtype: int32(ir.Float32), Dims: []*bundlepb.Dim{symbol("N"), symbol("")}},
			{Name: "t1", Dtype: int32(ir.Float32), Dims: []*bundlepb.Dim{symbol("N"), size(3)}},
		},
		Segments: []*bundlepb.Segment{
			{Kind: &bundlepb.Segment_Engine{Engine: &bundlepb.EngineSegment{
				Backend: "reference", Blob: 0,
				Target: &bundlepb.BuildTarget{Backend: "reference", Version: "1"},
				Profiles: []*bundlepb.OptimizationProfile{{Inputs: []*bundlepb.ProfileShape{
					{Tensor: "in0", Min: []int64{1, 3}, Opt: []int64{4, 3}, Max: []int64{8, 3}}}}},
				Bindings: []*bundlepb.Binding{
					{Value: "x", Tensor: "in0", Direction: dirIn},
					{Value: "t1", Tensor: "out0", Direction: dirOut},
				},
				Nodes: []*bundlepb.ConvertedNode{
					{Name: "relu", Op: "onnx.Relu", Converter: "onnx.Relu", Origin: "builtin"},
				},
			}}},
			{Kind: &bundlepb.Segment_Fallback{Fallback: &bundlepb.FallbackSegment{
				Nodes:        []*bundlepb.FallbackNode{{Name: "mul", Op: "onnx.Mul"}},
				SubgraphBlob: 1,
				Constants:    []*bundlepb.Constant{{Value: "c", Blob: 2, Dtype: int32(ir.Uint8), Dims: []int64{13}}},
				Inputs:       []string{"t1", "y"},
				Outputs:      []string{"t2"},
			}}},
			{Kind: &bundlepb.Segment_Engine{Engine: &bundlepb.EngineSegment{
				Backend: "reference", Blob: 3,
				Target: &bundlepb.BuildTarget{Backend: "reference", Version: "1"},
				Bindings: []*bundlepb.Binding{
					{Value: "t2", Tensor: "a", Direction: dirIn},
					{Value: "out", Tensor: "b", Direction: dirOut},
				},
				Nodes: []*bundlepb.ConvertedNode{
					{Name: "gelu", Op: "onnx.Gelu", Converter: "gelu_tanh", Origin: "/opt/plugins/gelu.so",
						PluginSha256: sum([]byte("plugin")), Priority: bundlepb.Priority_PRIORITY_HIGH},
				},
			}}},
		},
	}
	return m, blobs
}

// writeFixture writes the fixture bundle and returns its path and bytes.
func writeFixture(t testing.TB) (string, []byte) {
	t.Helper()
	m, blobs := fixture()
	path := filepath.Join(t.TempDir(), "model.trtb")
	if err := Write(path, m, blobs...); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// assemble lays out a bundle by hand, bypassing the writer's checks, so
// tests can make files with manifests the writer would refuse. The manifest's
// blobs are filled in from data unless already set.
func assemble(m *bundlepb.Manifest, blobs ...BlobData) []byte {
	m = proto.Clone(m).(*bundlepb.Manifest)
	var buf bytes.Buffer
	buf.Write(make([]byte, HeaderSize))
	var layout []*bundlepb.Blob
	for _, b := range blobs {
		buf.Write(make([]byte, alignUp(uint64(buf.Len()), BlobAlignment)-uint64(buf.Len())))
		layout = append(layout, &bundlepb.Blob{Kind: b.Kind, Offset: uint64(buf.Len()),
			Length: uint64(len(b.Data)), Sha256: sum(b.Data), Alignment: BlobAlignment})
		buf.Write(b.Data)
	}
	if len(m.Blobs) == 0 {
		m.Blobs = layout
	}
	if m.FormatVersion == 0 {
		m.FormatVersion = FormatVersion
	}
	mb, err := proto.Marshal(m)
	if err != nil {
		panic(err)
	}
	h := header{version: FormatVersion, manifestOffset: uint64(buf.Len()), manifestLength: uint64(len(mb))}
	buf.Write(mb)
	data := buf.Bytes()
	copy(data, h.encode())
	reseal(data)
	return data
}

// reseal recomputes the header checksum after a test edits header fields or
// the manifest, so that the check under test is the one that fires.
func reseal(data []byte) {
	h := decodeHeader(data)
	d := manifestDigest(data, data[h.manifestOffset:h.manifestOffset+h.manifestLength])
	copy(data[offDigest:], d[:])
}

// assembleFixture assembles the fixture after edit changes its manifest.
func assembleFixture(edit func(m *bundlepb.Manifest)) []byte {
	m, blobs := fixture()
	if edit != nil {
		edit(m)
	}
	return assemble(m, blobs...)
}
