package reference

import (
	"errors"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// buildNet makes a network with build and builds it with profiles.
func buildNet(t *testing.T, profiles []backend.Profile, build func(n *Network) network.Tensor) ([]byte, backend.Target, error) {
	t.Helper()
	n := NewNetwork()
	n.BeginNode("onnx.Reshape", "r")
	n.MarkOutput(build(n), "y")
	if err := n.Err(); err != nil {
		t.Fatalf("network: %v", err)
	}
	return Backend{}.Build(n, backend.BuildOptions{Profiles: profiles})
}

func valuesProfile(name string, mn, op, mx []int64) backend.Profile {
	return backend.Profile{MinValues: map[string][]int64{name: mn}, OptValues: map[string][]int64{name: op}, MaxValues: map[string][]int64{name: mx}}
}

// reshapeBy reshapes a [2,3] input by dims.
func reshapeBy(n *Network, dims network.Tensor) network.Tensor {
	x := n.AddInput("x", ir.Float32, ir.S(2, 3))
	return n.AddShuffle(x, network.ShuffleParams{ReshapeTensor: dims})
}

// A network input used as reshape dims is a shape tensor: TensorRT refuses
// to build it without its values in every profile, and refuses values
// outside them at run time.
func TestShapeInputNeedsProfileValues(t *testing.T) {
	net := func(n *Network) network.Tensor {
		return reshapeBy(n, n.AddInput("s", ir.Int64, ir.S(2)))
	}
	_, _, err := buildNet(t, nil, net)
	var se *backend.ShapeInputError
	if !errors.As(err, &se) || se.Input != "s" || se.Node != "r" || !strings.Contains(se.Layer, "[Shuffle]") ||
		!strings.Contains(err.Error(), "setShapeValues") {
		t.Fatalf("no profile: got %v", err)
	}
	// A profile that gives only dims (of x) misses s's values.
	dimsOnly := backend.Profile{Min: map[string][]int64{"x": {2, 3}}, Opt: map[string][]int64{"x": {2, 3}}, Max: map[string][]int64{"x": {2, 3}}}
	if _, _, err := buildNet(t, []backend.Profile{dimsOnly}, net); !errors.As(err, &se) || se.Profile != 0 {
		t.Fatalf("profile without values: got %v", err)
	}
	// Wrong number of values.
	if _, _, err := buildNet(t, []backend.Profile{valuesProfile("s", []int64{6}, []int64{6}, []int64{6})}, net); err == nil ||
		!strings.Contains(err.Error(), "has 2 value(s)") {
		t.Fatalf("one value for two: got %v", err)
	}
	// The nearest valid network: values given, trtexec's way (in Min/Opt/Max).
	trtexec := backend.Profile{Min: map[string][]int64{"s": {1, 1}}, Opt: map[string][]int64{"s": {3, 2}}, Max: map[string][]int64{"s": {6, 6}}}
	blob, target, err := buildNet(t, []backend.Profile{trtexec}, net)
	if err != nil {
		t.Fatal(err)
	}
	if len(target.ShapeInputs) != 1 || target.ShapeInputs[0] != "s" || target.Profiles[0].MaxValues["s"][0] != 6 {
		t.Fatalf("target: %+v", target)
	}
	e, err := Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	x := iota32(2, 3)
	out, err := e.Run(map[string]*ir.Tensor{"x": x, "s": ir.FromSlice(ir.Int64, []int64{2}, []int64{3, 2})})
	if err != nil || !ir.S(out["y"].Shape...).Equal(ir.S(3, 2)) {
		t.Fatalf("run in range: %v %v", out, err)
	}
	_, err = e.Run(map[string]*ir.Tensor{"x": x, "s": ir.FromSlice(ir.Int64, []int64{2}, []int64{0, 6})})
	var pe *backend.ProfileError
	if !errors.As(err, &pe) || !pe.Values || pe.Input != "s" || pe.Index != 0 || pe.Min != 1 {
		t.Fatalf("value below the profile: got %v", err)
	}
}

// Shape values past int32 need setShapeValuesV2 (TensorRT 10.11): refused
// for an older target, accepted otherwise.
func TestInt64ShapeValuesByTarget(t *testing.T) {
	big := []int64{1 << 40, 1}
	for _, target := range []network.Version{{Major: 10, Minor: 8}, {Major: 10, Minor: 11}, {}} {
		n := NewNetwork()
		n.SetTargetVersion(target)
		n.BeginNode("onnx.Reshape", "r")
		n.MarkOutput(reshapeBy(n, n.AddInput("s", ir.Int64, ir.S(2))), "y")
		_, _, err := Backend{}.Build(n, backend.BuildOptions{Profiles: []backend.Profile{valuesProfile("s", big, big, big)}})
		old := target == network.Version{Major: 10, Minor: 8}
		if old != (err != nil) || old && !strings.Contains(err.Error(), "outside int32") {
			t.Errorf("target %v: %v", target, err)
		}
	}
}

// Each shape-tensor rule: a violating network is refused naming the layer,
// the rule and its source; the nearest valid one builds.
func TestShapeTensorRules(t *testing.T) {
	vals := func(name string, v ...int64) []backend.Profile {
		return []backend.Profile{valuesProfile(name, v, v, v)}
	}
	cases := []struct {
		name      string
		bad, good func(n *Network) network.Tensor
		profiles  []backend.Profile
		want      string
	}{{
		name: "input dtype",
		bad: func(n *Network) network.Tensor {
			return reshapeBy(n, n.AddCast(n.AddInput("s", ir.Float32, ir.S(2)), ir.Int64))
		},
		good: func(n *Network) network.Tensor {
			return reshapeBy(n, n.AddCast(n.AddInput("s", ir.Int32, ir.S(2)), ir.Int64))
		},
		profiles: vals("s", 3, 2),
		want:     "engine input of type float32",
	}, {
		name: "rank",
		bad: func(n *Network) network.Tensor {
			s := n.AddInput("s", ir.Int64, ir.S(1, 2))
			return reshapeBy(n, n.AddShuffle(s, network.ShuffleParams{Reshape: []int64{2}}))
		},
		good: func(n *Network) network.Tensor {
			s := n.AddInput("s", ir.Int64, ir.S(2))
			return reshapeBy(n, n.AddShuffle(s, network.ShuffleParams{Reshape: []int64{2}}))
		},
		profiles: vals("s", 3, 2),
		want:     "has rank 2; a shape tensor is 0-D or 1-D",
	}, {
		name: "build-time shape",
		bad: func(n *Network) network.Tensor {
			s := n.AddInput("s", ir.Int64, ir.Shape{ir.Sym("n")})
			idx := n.AddConstant(ir.FromSlice(ir.Int64, []int64{2}, []int64{0, 1}))
			return reshapeBy(n, n.AddGather(s, idx, 0, network.GatherDEFAULT))
		},
		good: func(n *Network) network.Tensor {
			s := n.AddInput("s", ir.Int64, ir.S(4))
			idx := n.AddConstant(ir.FromSlice(ir.Int64, []int64{2}, []int64{0, 1}))
			return reshapeBy(n, n.AddGather(s, idx, 0, network.GatherDEFAULT))
		},
		profiles: vals("s", 3, 2, 7, 7),
		want:     "is not known at build time",
	}, {
		name: "input volume",
		bad: func(n *Network) network.Tensor {
			s := n.AddInput("s", ir.Int64, ir.S(65))
			idx := n.AddConstant(ir.FromSlice(ir.Int64, []int64{2}, []int64{0, 1}))
			return reshapeBy(n, n.AddGather(s, idx, 0, network.GatherDEFAULT))
		},
		good: func(n *Network) network.Tensor {
			s := n.AddInput("s", ir.Int64, ir.S(64))
			idx := n.AddConstant(ir.FromSlice(ir.Int64, []int64{2}, []int64{0, 1}))
			return reshapeBy(n, n.AddGather(s, idx, 0, network.GatherDEFAULT))
		},
		profiles: vals("s", append([]int64{3, 2}, make([]int64, 62)...)...),
		want:     "holds at most 64",
	}, {
		name: "slice with run-time start",
		bad: func(n *Network) network.Tensor {
			x := n.AddInput("x", ir.Float32, ir.S(2, 3))
			start := n.AddInput("st", ir.Int64, ir.S(1))
			dims := n.AddSlice(n.AddShape(x), network.SliceParams{StartT: start, Size: []int64{2}, Stride: []int64{1}})
			return n.AddShuffle(x, network.ShuffleParams{ReshapeTensor: n.AddConcatenation([]network.Tensor{
				n.AddConstant(ir.FromSlice(ir.Int64, []int64{1}, []int64{1})), dims}, 0)})
		},
		good: func(n *Network) network.Tensor {
			x := n.AddInput("x", ir.Float32, ir.S(2, 3))
			dims := n.AddSlice(n.AddShape(x), network.SliceParams{Start: []int64{0}, Size: []int64{2}, Stride: []int64{1}})
			return n.AddShuffle(x, network.ShuffleParams{ReshapeTensor: n.AddConcatenation([]network.Tensor{
				n.AddConstant(ir.FromSlice(ir.Int64, []int64{1}, []int64{1})), dims}, 0)})
		},
		want: "start (input 1) is not a build-time constant",
	}, {
		name: "random fill",
		bad: func(n *Network) network.Tensor {
			x := n.AddInput("x", ir.Float32, ir.S(2, 3))
			f := n.AddFill(network.FillParams{Op: network.FillRANDOM_UNIFORM, Dims: []int64{2}, DType: ir.Float32, Alpha: 1, Beta: 2})
			return n.AddShuffle(x, network.ShuffleParams{ReshapeTensor: n.AddCast(f, ir.Int64)})
		},
		good: func(n *Network) network.Tensor {
			x := n.AddInput("x", ir.Float32, ir.S(2, 3))
			f := n.AddFill(network.FillParams{Op: network.FillLINSPACE, Dims: []int64{2}, DType: ir.Int64, Alpha: 3, Beta: -1})
			return n.AddShuffle(x, network.ShuffleParams{ReshapeTensor: f})
		},
		want: "only LINSPACE fills make shape tensors",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := buildNet(t, c.profiles, c.bad)
			var st *ShapeTensorError
			if !errors.As(err, &st) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "[TensorRT: ") ||
				!strings.Contains(err.Error(), "layer [") {
				t.Fatalf("violating network: got %v, want a shape-tensor error with %q", err, c.want)
			}
			if _, _, err := buildNet(t, c.profiles, c.good); err != nil {
				t.Fatalf("nearest valid network: %v", err)
			}
		})
	}
}

// Dims computed from the data tensor's own shape need no profile: the
// Shape layer ends the chain, and its input is an execution tensor.
func TestShapeChainFromShapeLayer(t *testing.T) {
	n := NewNetwork()
	x := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("b"), ir.D(3)})
	sh := n.AddShape(x)
	dims := n.AddConcatenation([]network.Tensor{n.AddConstant(ir.FromSlice(ir.Int64, []int64{1}, []int64{-1})),
		n.AddSlice(sh, network.SliceParams{Start: []int64{0}, Size: []int64{1}, Stride: []int64{1}})}, 0)
	n.MarkOutput(n.AddShuffle(x, network.ShuffleParams{ReshapeTensor: dims}), "y")
	blob, target, err := Backend{}.Build(n, backend.BuildOptions{})
	if err != nil || len(target.ShapeInputs) != 0 {
		t.Fatalf("build: %v, shape inputs %v", err, target.ShapeInputs)
	}
	layers, err := Describe(blob)
	if err != nil {
		t.Fatal(err)
	}
	marked := map[string]bool{}
	for _, l := range layers {
		for _, o := range l.Outputs {
			marked[l.Type+"/"+o.Name] = o.ShapeTensor
		}
	}
	for name, st := range marked {
		want := !strings.HasPrefix(name, "SHUFFLE/")
		if st != want {
			t.Errorf("%s: shape_tensor %v, want %v", name, st, want)
		}
	}
}
