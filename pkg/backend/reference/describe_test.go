package reference

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
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
	h := fnv.New64a()
	h.Write(make([]byte, 72*4))
	zeros72 := fmt.Sprintf("%016x", h.Sum64())
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
	// Unset stride/padding/dilation/groups stay unset, as the shim leaves
	// them (TensorRT's defaults); the absent bias is empty weights of the
	// kernel's dtype; the output named "y" is the cast's.
	want := `{"name":"[Convolution]-[onnx.Conv]-[conv]","type":"CONVOLUTION","inputs":[{"name":"x","dtype":"float32","shape":[-1,2,5,5],"shape_tensor":false}],` +
		`"outputs":[{"name":"[Convolution]-[onnx.Conv]-[conv]_out0","dtype":"float32","shape":[-1,4,3,3],"shape_tensor":false}],` +
		`"params":{"bias_weights":{"count":0,"dtype":"float32","fnv1a":"cbf29ce484222325"},` +
		`"kernel_size_nd":[3,3],"kernel_weights":{"count":72,"dtype":"float32","fnv1a":"` + zeros72 + `"},"nb_output_maps":4,"post_padding":[1,1],"pre_padding":[1,1],"stride_nd":[2,2]}}`
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
	check("REDUCE", "keep_dimensions", false)
	check("TOPK", "k", 2)
	check("TOPK", "operation", "MAX")
	check("TOPK", "axes", 2)
	check("TOPK", "indices_type", "int32")
	check("SHUFFLE", "reshape_dimensions", []int64{0, -1})
	check("SHUFFLE", "zero_is_placeholder", true)
	check("CAST", "dtype", "float16")
	if _, ok := byType["SHUFFLE"].Params["first_transpose"]; ok {
		t.Error("SHUFFLE: first_transpose described where none was set")
	}
	if got := byType["CAST"].Outputs[0].Name; got != "y" {
		t.Errorf("the output tensor is %q, want the output's name y", got)
	}
	if len(byType["TOPK"].Outputs) != 2 {
		t.Errorf("TopK outputs: %+v", byType["TOPK"].Outputs)
	}
	if _, err := Describe([]byte("nonsense")); err == nil {
		t.Error("a blob without the magic was described")
	}
}

// As the shim's MarkOutput: an input marked as an output, or a tensor
// marked twice, gets an identity layer named after the output, listed
// last; an absent optional input before a given one is an empty tensor;
// settings a tensor input gives are not described.
func TestDescribeOutputsAndOptionalInputs(t *testing.T) {
	n := NewNetwork()
	n.BeginNode("onnx.Range", "range")
	x := n.AddInput("x", ir.Float32, ir.Shape{ir.D(4)})
	alpha := n.AddConstant(ir.FromSlice(ir.Float32, []int64{}, []float32{1}))
	beta := n.AddConstant(ir.FromSlice(ir.Float32, []int64{1}, []float32{0.5}))
	f := n.AddFill(network.FillParams{Op: network.FillLINSPACE, Dims: []int64{4}, DType: ir.Float32, AlphaT: alpha, BetaT: beta})
	n.MarkOutput(f, "ramp")
	n.MarkOutput(f, "ramp_again")
	n.MarkOutput(x, "x_out")
	blob, err := n.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	layers, err := Describe(blob)
	if err != nil {
		t.Fatal(err)
	}
	var fill *network.LayerInfo
	var ids []string
	for i, l := range layers {
		if l.Type == "FILL" {
			fill = &layers[i]
		}
		if l.Type == "IDENTITY" {
			ids = append(ids, l.Name+" "+l.Inputs[0].Name+"->"+l.Outputs[0].Name)
		}
	}
	if fill == nil {
		t.Fatal("no FILL layer")
	}
	if len(fill.Inputs) != 3 || fill.Inputs[0].Name != "" || fill.Inputs[1].DType != "float32" {
		t.Errorf("fill inputs %+v, want [unset, alpha, beta]", fill.Inputs)
	}
	if _, ok := fill.Params["alpha"]; ok {
		t.Errorf("fill alpha described though input 1 gives it: %v", fill.Params)
	}
	if fill.Params["mode"] != "LINSPACE" || fill.Params["dtype"] != "float32" {
		t.Errorf("fill params %v", fill.Params)
	}
	if fill.Outputs[0].Name != "ramp" {
		t.Errorf("fill output %q, want the output name ramp", fill.Outputs[0].Name)
	}
	want := []string{"[Identity]-[output]-[ramp_again] ramp->ramp_again", "[Identity]-[output]-[x_out] x->x_out"}
	if strings.Join(ids, "|") != strings.Join(want, "|") || layers[len(layers)-1].Type != "IDENTITY" || layers[len(layers)-2].Type != "IDENTITY" {
		t.Errorf("identity layers %v, want %v last", ids, want)
	}
}
