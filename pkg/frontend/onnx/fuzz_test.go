package onnx

import (
	"github.com/trtc-dev/trtc/internal/sizes"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/trtc-dev/trtc/internal/testenv"
	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

// FuzzParse checks that no input makes Parse or ParseTensorFile panic. Run it
// with: go test ./pkg/frontend/onnx -run '^$' -fuzz FuzzParse -fuzztime 30s
func FuzzParse(f *testing.F) {
	sizes.SetBudget(256 << 20) // allocations past it are errors, not out-of-memory deaths
	// Real models when the node tests are there, with subgraphs and
	// attributes of many kinds.
	if root := testenv.FindNodeTests(); root != "" {
		for _, name := range []string{"test_if", "test_loop11", "test_scan9_sum", "test_conv_with_strides_padding", "test_constant", "test_gru_defaults", "test_cast_FLOAT_to_BFLOAT16"} {
			if data, err := os.ReadFile(filepath.Join(root, name, "model.onnx")); err == nil {
				f.Add(data)
			}
		}
	}
	// Models built here, so the fuzzer has seeds without the node tests.
	m := model(&onnxpb.GraphProto{
		Name: ptr("g"),
		Node: []*onnxpb.NodeProto{
			node("Constant", nil, []string{"c"}, &onnxpb.AttributeProto{Name: ptr("value_ints"), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: []int64{2, 1}}),
			node("Reshape", []string{"x", "c"}, []string{"y"}),
			node("If", []string{"b"}, []string{"z"}, &onnxpb.AttributeProto{Name: ptr("then_branch"), Type: onnxpb.AttributeProto_GRAPH.Enum(), G: &onnxpb.GraphProto{
				Node:   []*onnxpb.NodeProto{node("Identity", []string{"y"}, []string{"r"})},
				Output: []*onnxpb.ValueInfoProto{vi("r", tensorType(1, 2, 1))},
			}}),
		},
		Input:       []*onnxpb.ValueInfoProto{vi("x", tensorType(1, "n", 2)), vi("b", tensorType(9))},
		Initializer: []*onnxpb.TensorProto{{Name: ptr("w"), DataType: ptr(int32(10)), Dims: []int64{2}, Int32Data: []int32{1, 2}}},
		Output:      []*onnxpb.ValueInfoProto{vi("z", tensorType(1, 2, 1))},
	})
	b, _ := proto.Marshal(m)
	f.Add(b)
	t, _ := proto.Marshal(&onnxpb.TensorProto{Name: ptr("t"), DataType: ptr(int32(7)), Dims: []int64{2}, Int64Data: []int64{1, 2}})
	f.Add(t)
	f.Add([]byte(`{"ir_version": 8}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Parse(data, "")
		_, _, _ = ParseTensorFile(data, "")
	})
}
