//go:build tensorrt && fakenvinfer

package tensorrt

// TestFakeModelsLayerByLayer compiles every testdata model (ONNX and
// .pt2) through teeNetwork: the shim builds each engine segment into the
// recording fake of TensorRT, and the fake's record of the TensorRT calls
// (layer types, names, inputs, outputs, every setting, weight hashes) must
// equal reference.Describe of the reference backend's plan of the same
// network, which `trtc inspect --layers` prints.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// referenceLayers is the reference side of the comparison: the layers of
// the reference backend's plan blob of the same network, as `trtc inspect
// --layers` prints them (reference.Describe).
func referenceLayers(blob []byte) ([]network.LayerInfo, error) {
	return reference.Describe(blob)
}

// buildRecord builds the shim's network into the fake (dynamic dims get
// the range 1..2..4) and returns the fake's record of its layers.
func buildRecord(n *Network) ([]network.LayerInfo, error) {
	var opts backend.BuildOptions
	p := backend.Profile{Min: map[string][]int64{}, Opt: map[string][]int64{}, Max: map[string][]int64{}}
	for _, in := range n.inputs {
		if !dynamic(in.Shape) {
			continue
		}
		for i, v := range []int64{1, 2, 4} {
			d := make([]int64, len(in.Shape))
			for j, x := range in.Shape {
				d[j] = x.Size
				if !x.Static() {
					d[j] = v
				}
			}
			[]map[string][]int64{p.Min, p.Opt, p.Max}[i][in.Name] = d
		}
	}
	if len(p.Min) > 0 {
		opts.Profiles = []backend.Profile{p}
	}
	blob, _, err := (Backend{}).Build(n, opts)
	if err != nil {
		return nil, err
	}
	_, rec, ok := bytes.Cut(blob, []byte("\nlayers\n"))
	if !ok {
		return nil, fmt.Errorf("the fake's plan has no layers section")
	}
	var out []network.LayerInfo
	if err := json.Unmarshal(rec, &out); err != nil {
		return nil, fmt.Errorf("the fake's record: %w", err)
	}
	return out, nil
}

// compareLayers lists the differences between the reference side and the
// fake's record: layer count, and per layer its name, type, inputs,
// outputs (names and dtypes; shapes are the reference's, fed to the fake)
// and every parameter, both ways.
func compareLayers(ref, rec []network.LayerInfo) []string {
	var diffs []string
	if len(ref) != len(rec) {
		diffs = append(diffs, fmt.Sprintf("%d layers in the reference, %d recorded", len(ref), len(rec)))
	}
	for i := 0; i < min(len(ref), len(rec)); i++ {
		a, b := ref[i], rec[i]
		at := fmt.Sprintf("layer %d %s", i, a.Name)
		if a.Name != b.Name || a.Type != b.Type {
			diffs = append(diffs, fmt.Sprintf("%s: reference %s %s, recorded %s %s", at, a.Type, a.Name, b.Type, b.Name))
			continue
		}
		if d := compareTensors(a.Inputs, b.Inputs); d != "" {
			diffs = append(diffs, at+": inputs: "+d)
		}
		if d := compareTensors(a.Outputs, b.Outputs); d != "" {
			diffs = append(diffs, at+": outputs: "+d)
		}
		keys := map[string]bool{}
		for k := range a.Params {
			keys[k] = true
		}
		for k := range b.Params {
			keys[k] = true
		}
		var ks []string
		for k := range keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			if a.Type == "PLUGIN_V3" && k == "cpu_op" {
				continue // trtc's own: the op the reference backend runs; TensorRT never sees it
			}
			av, aok := a.Params[k]
			bv, bok := b.Params[k]
			switch {
			case !aok:
				diffs = append(diffs, fmt.Sprintf("%s: the shim set %s = %v, which the reference does not have", at, k, bv))
			case !bok:
				diffs = append(diffs, fmt.Sprintf("%s: the shim did not set %s (reference: %v)", at, k, av))
			case !sameValue(norm(av), norm(bv)):
				diffs = append(diffs, fmt.Sprintf("%s: %s is %v in the reference, %v recorded", at, k, av, bv))
			}
		}
	}
	return diffs
}

func compareTensors(a, b []network.TensorInfo) string {
	name := func(ts []network.TensorInfo) string {
		var s []string
		for _, t := range ts {
			s = append(s, t.Name+":"+t.DType)
		}
		return strings.Join(s, ", ")
	}
	if na, nb := name(a), name(b); na != nb {
		return fmt.Sprintf("reference [%s], recorded [%s]", na, nb)
	}
	return ""
}

// norm turns a value into its JSON form (numbers float64).
func norm(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}

// sameValue compares JSON values; numbers agree to float32 precision (the
// fake prints floats with %.9g).
func sameValue(a, b any) bool {
	if f, ok := a.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
		// The fake writes non-finite numbers as strings.
		s, _ := b.(string)
		return math.IsNaN(f) && s == "nan" || math.IsInf(f, 1) && s == "inf" || math.IsInf(f, -1) && s == "-inf"
	}
	switch av := a.(type) {
	case float64:
		bv, ok := b.(float64)
		return ok && (av == bv || math.Abs(av-bv) <= 1e-6*math.Max(math.Abs(av), math.Abs(bv)))
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if !sameValue(av[i], bv[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for k := range av {
			if !sameValue(av[k], bv[k]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func testdataModels(t *testing.T) []string {
	var models []string
	for _, pat := range []string{"../../testdata/models/*/model.onnx", "../../testdata/pt2/*/model.pt2", "../../testdata/pt2/*/model_decomposed.pt2",
		"../../testdata/zoo/*/model.pt2", "../../testdata/zoo/*/model_decomposed.pt2"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, m...)
	}
	if len(models) < 10 {
		t.Fatalf("found %d testdata models", len(models))
	}
	return models
}

func TestFakeModelsLayerByLayer(t *testing.T) {
	fakeEvents()
	types := map[string]int{}
	var typesMu sync.Mutex
	total := 0
	for _, model := range testdataModels(t) {
		rel, _ := filepath.Rel("../..", model)
		t.Run(rel, func(t *testing.T) {
			if filepath.Base(filepath.Dir(model)) == "scaled_swish" {
				t.Skip("the custom-op example (docs/custom-ops.md) needs its Go plugin, which this test binary does not load; internal/plugintest covers it")
			}
			teeMu.Lock()
			teeBuilds = nil
			teeMu.Unlock()
			s := conversion.DefaultSettings()
			s.Backend = "tensorrt-fake-tee"
			s.MinBlockSize = 1 // every convertible node in an engine, small models included
			// Build for the release of the headers, as a compile with the
			// TensorRT backend builds for the loaded library's.
			if _, compiled, err := libVersion(); err == nil {
				s.TargetVersion = network.Version{Major: int(compiled / 10000), Minor: int(compiled / 100 % 100)}
			}
			res, err := compiler.CompileFile(model, compiler.Options{Settings: s, Registry: converters.Builtin()})
			if err != nil {
				t.Fatal(err)
			}
			for node, err := range res.ConvertFailures {
				t.Errorf("node %s (%s) fell back during the build: %v", node.Name, node.Op, err)
			}
			teeMu.Lock()
			builds := teeBuilds
			teeMu.Unlock()
			if len(builds) != len(res.Engines) {
				t.Fatalf("%d engines, %d builds through the fake", len(res.Engines), len(builds))
			}
			if len(builds) == 0 {
				// A model whose every node runs on the CPU (scan_loop:
				// Scan and Loop are fallback kernels) has nothing to
				// compare; the total below still must be non-zero.
				t.Skipf("no engine segment (%d fallback segments): nothing built through the shim", len(res.Partition.Segments)-len(res.Engines))
			}
			layers := 0
			for i, b := range builds {
				if b.err != nil {
					t.Errorf("engine %d: %v", i, b.err)
					continue
				}
				for _, d := range compareLayers(b.reference, b.record) {
					t.Errorf("engine %d: %s", i, d)
				}
				layers += len(b.record)
			}
			if layers == 0 {
				t.Fatal("no layer was compared")
			}
			total += layers
			for _, b := range builds {
				for _, l := range b.record {
					typesMu.Lock()
					types[l.Type]++
					typesMu.Unlock()
				}
			}
			if !t.Failed() {
				t.Logf("%d engine segments, %d layers: the fake's record equals the reference description", len(builds), layers)
			}
			noUnexpected(t, fakeEvents())
		})
	}
	if total == 0 {
		t.Fatal("no layer was compared in any model")
	}
	var kinds []string
	for k, v := range types {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(kinds)
	t.Logf("%d layers compared in all: %s", total, strings.Join(kinds, ", "))
}

// TestFakeTeeLayerKinds builds the layer kinds and settings the testdata
// models do not use through the tee and compares the fake's record with
// the reference side, as for the models.
func TestFakeTeeLayerKinds(t *testing.T) {
	fakeEvents()
	n := newTee()
	c := func(w *ir.Tensor) network.Tensor { return n.AddConstant(w) }
	n.BeginNode("test", "kinds")
	x := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("N"), {Size: 3}, {Size: 8}, {Size: 8}})
	k := ir.NewTensor(ir.Float32, []int64{3, 2, 2, 2})
	for i := range ir.View[float32](k) {
		ir.View[float32](k)[i] = float32(i) / 7
	}
	outs := map[string]network.Tensor{
		"deconv": n.AddDeconvolutionNd(x, network.DeconvolutionParams{NbOutputMaps: 2, KernelSize: []int64{2, 2}, Kernel: k,
			Stride: []int64{2, 2}, PrePadding: []int64{0, 1}, PostPadding: []int64{1, 0}, NbGroups: 1}),
		"resize_scales": n.AddResize(x, network.ResizeParams{Mode: network.InterpolationLINEAR, Scales: []float32{1, 1, 2, 1.5},
			CoordTransform: network.ResizeHALF_PIXEL, NearestRounding: network.ResizeRoundFLOOR}),
		"concat": n.AddConcatenation([]network.Tensor{x, x}, 1),
		"cast":   n.AddCast(x, ir.Float16),
		"shuffle": n.AddShuffle(x, network.ShuffleParams{FirstTranspose: []int{0, 2, 3, 1},
			ReshapeTensor: n.AddShape(x), SecondTranspose: []int{0, 1, 2, 3}}),
		"fill": n.AddFill(network.FillParams{Op: network.FillLINSPACE, Dims: []int64{5}, DType: ir.Float32, Alpha: 1.5, Beta: 0.25}),
		"slice": n.AddSlice(x, network.SliceParams{StartT: c(ir.FromSlice(ir.Int64, []int64{4}, []int64{0, 1, 2, 2})), Size: []int64{1, 2, 4, 4},
			Mode: network.SampleCLAMP}),
		"gather_nd": n.AddGatherND(x, c(ir.FromSlice(ir.Int32, []int64{1, 2}, []int32{0, 1})), 0),
		"gather":    n.AddGather(x, c(ir.FromSlice(ir.Int32, []int64{2}, []int32{2, 0})), 1, network.GatherDEFAULT),
		"scatter": n.AddScatter(c(ir.FromSlice(ir.Float32, []int64{4, 2}, make([]float32, 8))), c(ir.FromSlice(ir.Int32, []int64{2, 1}, []int32{3, 1})),
			c(ir.FromSlice(ir.Float32, []int64{2, 2}, []float32{1, 2, 3, 4})), network.ScatterND, 0),
		"einsum": n.AddEinsum([]network.Tensor{c(ir.FromSlice(ir.Float32, []int64{2, 3}, make([]float32, 6))), c(ir.FromSlice(ir.Float32, []int64{3, 4}, make([]float32, 12)))}, "ij,jk->ik"),
		"onehot": n.AddOneHot(c(ir.FromSlice(ir.Int32, []int64{3}, []int32{0, 2, 1})), c(ir.FromSlice(ir.Float32, []int64{2}, []float32{0, 1})),
			c(ir.FromSlice(ir.Int32, []int64{}, []int32{4})), -1),
		"pool": n.AddPoolingNd(x, network.PoolingParams{Type: network.PoolingMAX_AVERAGE_BLEND, WindowSize: []int64{3, 3},
			Stride: []int64{2, 2}, PaddingMode: network.PaddingSAME_UPPER, BlendFactor: 0.25}),
	}
	// Q/DQ with zero-point inputs (setInput(2)) and to float8, which no
	// testdata model has.
	sc := func(v float32) network.Tensor { return c(ir.FromSlice(ir.Float32, nil, []float32{v})) }
	z8 := func() network.Tensor { return c(ir.FromSlice(ir.Int8, nil, []int8{0})) }
	perTensor := func(to ir.DType) network.QuantizeParams { return network.QuantizeParams{Axis: -1, ToType: to} }
	outs["qdq_zero_point"] = n.AddDequantize(n.AddQuantize(x, sc(0.1), z8(), perTensor(ir.Int8)), sc(0.1), z8(), perTensor(ir.Float32))
	outs["qdq_fp8"] = n.AddDequantize(n.AddQuantize(x, sc(0.25), nil, perTensor(ir.Float8E4M3FN)), sc(0.25), nil, perTensor(ir.Float32))
	kinds := []string{"DECONVOLUTION", "RESIZE", "CONCATENATION", "CAST", "SHAPE", "SHUFFLE", "FILL",
		"SLICE", "GATHER", "SCATTER", "EINSUM", "ONE_HOT", "POOLING", "TOPK", "IDENTITY", "CONSTANT", "QUANTIZE", "DEQUANTIZE"}
	if _, compiled, _ := libVersion(); compiled >= 100800 { // addCumulative is in the 10.8 headers on
		outs["cumsum"] = n.AddCumulative(x, c(ir.FromSlice(ir.Int32, []int64{}, []int32{2})), network.CumulativeSUM, true, true)
		kinds = append(kinds, "CUMULATIVE")
	}
	if _, compiled, _ := libVersion(); compiled >= 101500 { // addRotaryEmbedding is in the 10.15 headers on
		outs["rope"] = n.AddRotaryEmbedding(x, c(ir.NewTensor(ir.Float32, []int64{16, 2})), c(ir.NewTensor(ir.Float32, []int64{16, 2})),
			c(ir.FromSlice(ir.Int32, []int64{1, 8}, []int32{0, 1, 2, 3, 4, 5, 6, 7})), true, 4)
		kinds = append(kinds, "ROTARY_EMBEDDING")
	}
	vals, idx := n.AddTopK(x, network.TopKMIN, 2, 1<<3)
	outs["topk_values"], outs["topk_indices"] = vals, idx
	for _, name := range sortedKeys(outs) {
		n.MarkOutput(outs[name], name)
	}
	n.MarkOutput(x, "x_again") // an input marked as output: an identity layer
	rec := n.compareRecord(t)
	seen := map[string]bool{}
	for _, l := range rec {
		seen[l.Type] = true
	}
	for _, want := range kinds {
		if !seen[want] {
			t.Errorf("no %s layer recorded", want)
		}
	}
	noUnexpected(t, fakeEvents())
	t.Logf("%d layers compared", len(rec))
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
