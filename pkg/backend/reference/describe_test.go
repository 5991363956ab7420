package reference

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Every layer kind of the network API has a describer, so inspect --layers
// and the TensorRT recording fake's comparison see every setting.
func TestEveryKindDescribed(t *testing.T) {
	for _, k := range network.Kinds {
		if _, ok := describers[k]; !ok {
			t.Errorf("layer kind %s has no describer in describe.go", k)
		}
		if k.LayerType() == "" {
			t.Errorf("layer kind %s has no TensorRT LayerType", k)
		}
	}
}

func TestDescribe(t *testing.T) {
	n := NewNetwork()
	n.BeginNode("onnx.Conv", "conv")
	x := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("N"), ir.D(2), ir.D(5), ir.D(5)})
	w := ir.NewTensor(ir.Float32, []int64{4, 2, 3, 3})
	c := n.AddConvolutionNd(x, network.ConvolutionParams{NbOutputMaps: 4, KernelSize: []int64{3, 3}, Kernel: w,
		Stride: []int64{2, 2}, PrePadding: []int64{1, 1}, PostPadding: []int64{1, 1}})
	n.BeginNode("onnx.Neg", "neg")
	u := n.AddUnary(c, network.UnaryNEG)
	n.BeginNode("onnx.ReduceSum", "sum")
	r := n.AddReduce(u, network.ReduceSUM, network.AxesMask(2, 3), false)
	n.BeginNode("onnx.TopK", "topk")
	v, _ := n.AddTopK(r, network.TopKMAX, 2, network.AxesMask(1))
	n.BeginNode("onnx.Reshape", "flat")
	s := n.AddShuffle(v, network.ShuffleParams{Reshape: []int64{0, -1}, ZeroIsPlaceholder: true})
	n.BeginNode("onnx.Cast", "cast")
	n.MarkOutput(n.AddCast(s, ir.Float16), "y")
	blob, err := n.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	layers, err := Describe(blob)
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string]network.LayerInfo{}
	var types []string
	for _, l := range layers {
		byType[l.Type] = l
		types = append(types, l.Type)
	}
	if got := strings.Join(types, " "); got != "CONSTANT CONVOLUTION UNARY REDUCE TOPK SHUFFLE CAST" && got != "CONVOLUTION UNARY REDUCE TOPK SHUFFLE CAST" {
		t.Fatalf("layer types %s", got)
	}
	conv := byType["CONVOLUTION"]
	js, _ := json.Marshal(conv)
	want := `{"name":"[Convolution]-[onnx.Conv]-[conv]","type":"CONVOLUTION","inputs":[{"name":"x","dtype":"float32","shape":[-1,2,5,5],"shape_tensor":false}],` +
		`"outputs":[{"name":"[Convolution]-[onnx.Conv]-[conv]_out0","dtype":"float32","shape":[-1,4,3,3],"shape_tensor":false}],` +
		`"params":{"bias":false,"dilation":[1,1],"kernel_dtype":"FLOAT","kernel_size":[3,3],"num_groups":1,"num_output_maps":4,"post_padding":[1,1],"pre_padding":[1,1],"stride":[2,2]}}`
	if string(js) != want {
		t.Errorf("convolution:\n got %s\nwant %s", js, want)
	}
	check := func(typ, key string, want any) {
		t.Helper()
		got, _ := json.Marshal(byType[typ].Params[key])
		w, _ := json.Marshal(want)
		if string(got) != string(w) {
			t.Errorf("%s %s = %s, want %s", typ, key, got, w)
		}
	}
	check("UNARY", "operation", "NEG")
	check("REDUCE", "operation", "SUM")
	check("REDUCE", "axes", 12)
	check("REDUCE", "keep_dims", false)
	check("TOPK", "k", 2)
	check("TOPK", "operation", "MAX")
	check("TOPK", "axes", 2)
	check("SHUFFLE", "reshape_dims", []int64{0, -1})
	check("SHUFFLE", "zero_is_placeholder", true)
	check("SHUFFLE", "first_transpose", []int{})
	check("CAST", "dtype", "HALF")
	if len(byType["TOPK"].Outputs) != 2 {
		t.Errorf("TopK outputs: %+v", byType["TOPK"].Outputs)
	}
	if _, err := Describe([]byte("nonsense")); err == nil {
		t.Error("a blob without the magic was described")
	}
}
