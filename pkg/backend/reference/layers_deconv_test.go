package reference

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

func TestDeconvolutionStrideAndCrop(t *testing.T) {
	ones := ir.FromSlice(ir.Float32, []int64{1, 1, 2, 2}, []float32{1, 1, 1, 1})
	bias := ir.FromSlice(ir.Float32, []int64{1}, []float32{0.5})
	r := runNet(t, map[string]*ir.Tensor{"x": iota32(1, 1, 2, 2)}, func(n *Network) []network.Tensor {
		x := n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("N"), ir.D(1), ir.D(2), ir.D(2)})
		p := network.DeconvolutionParams{NbOutputMaps: 1, KernelSize: []int64{2, 2}, Kernel: ones, Stride: []int64{2, 2}}
		full := n.AddDeconvolutionNd(x, p)
		p.Bias, p.PrePadding, p.PostPadding = bias, []int64{1, 1}, []int64{1, 1}
		return []network.Tensor{full, n.AddDeconvolutionNd(x, p)}
	})
	// Each input value fills its own 2x2 block; the padding crops one row
	// and column at each side.
	wantFloats(t, r[0], []int64{1, 1, 4, 4}, []float64{0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3})
	wantFloats(t, r[1], []int64{1, 1, 2, 2}, []float64{0.5, 1.5, 2.5, 3.5})
}

func TestDeconvolutionRejects(t *testing.T) {
	w := ir.NewTensor(ir.Float32, []int64{2, 3, 3, 3})
	for _, c := range []struct {
		p    network.DeconvolutionParams
		want string
	}{
		{network.DeconvolutionParams{NbOutputMaps: 3, KernelSize: []int64{3, 3}, Kernel: w, PrePadding: []int64{-1, 0}}, "padding must be >= 0"},
		{network.DeconvolutionParams{NbOutputMaps: 4, KernelSize: []int64{3, 3}, Kernel: w}, "do not match"},
		{network.DeconvolutionParams{NbOutputMaps: 3, KernelSize: []int64{3, 3}}, "kernel weights must be set"},
	} {
		n := NewNetwork()
		n.AddDeconvolutionNd(n.AddInput("x", ir.Float32, ir.S(1, 2, 4, 4)), c.p)
		if err := n.Err(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.p, err, c.want)
		}
	}
}

func TestScatterModes(t *testing.T) {
	zeros := ir.NewTensor(ir.Float32, []int64{2, 3})
	el := ir.FromSlice(ir.Int64, []int64{2, 2}, []int64{2, 0, 1, 2})
	upd := ir.FromSlice(ir.Float32, []int64{2, 2}, []float32{1, 2, 3, 4})
	nd := ir.FromSlice(ir.Int32, []int64{2, 1}, []int32{2, 0})
	updND := ir.FromSlice(ir.Float32, []int64{2, 2}, []float32{10, 11, 12, 13})
	r := runNet(t, map[string]*ir.Tensor{"z": zeros, "x": iota32(3, 2), "e": el, "u": upd, "d": nd, "v": updND}, func(n *Network) []network.Tensor {
		return []network.Tensor{
			n.AddScatter(n.AddInput("z", ir.Float32, ir.S(2, 3)), n.AddInput("e", ir.Int64, ir.S(2, 2)), n.AddInput("u", ir.Float32, ir.S(2, 2)), network.ScatterELEMENT, 1),
			n.AddScatter(n.AddInput("x", ir.Float32, ir.S(3, 2)), n.AddInput("d", ir.Int32, ir.S(2, 1)), n.AddInput("v", ir.Float32, ir.S(2, 2)), network.ScatterND, 0),
		}
	})
	wantFloats(t, r[0], []int64{2, 3}, []float64{2, 0, 1, 0, 3, 4})
	wantFloats(t, r[1], []int64{3, 2}, []float64{12, 13, 2, 3, 10, 11})
}

// Two writes to one element are undefined in TensorRT ("Writes to the same
// output element cause undefined behavior.", IScatterLayer): refused at run
// time in both modes (finding 14 of issue 8), the same indices without the
// duplicate run.
func TestScatterRefusesDuplicateWrites(t *testing.T) {
	for _, c := range []struct {
		mode       network.ScatterMode
		idx        *ir.Tensor
		updShape   []int64
		duplicated bool
	}{
		{network.ScatterELEMENT, ir.FromSlice(ir.Int64, []int64{2, 2}, []int64{2, 0, 1, 1}), []int64{2, 2}, true},
		{network.ScatterELEMENT, ir.FromSlice(ir.Int64, []int64{2, 2}, []int64{2, 0, 1, 0}), []int64{2, 2}, false},
		{network.ScatterND, ir.FromSlice(ir.Int64, []int64{2, 2}, []int64{1, 2, 1, 2}), []int64{2}, true},
		{network.ScatterND, ir.FromSlice(ir.Int64, []int64{2, 2}, []int64{1, 2, 0, 2}), []int64{2}, false},
	} {
		n := NewNetwork()
		y := n.AddScatter(n.AddInput("x", ir.Float32, ir.S(2, 3)), n.AddInput("i", ir.Int64, ir.S(c.idx.Shape...)),
			n.AddInput("u", ir.Float32, ir.S(c.updShape...)), c.mode, 1)
		n.MarkOutput(y, "y")
		blob, err := n.Serialize()
		if err != nil {
			t.Fatal(err)
		}
		e, _ := Load(blob)
		_, err = e.Run(map[string]*ir.Tensor{"x": iota32(2, 3), "i": c.idx, "u": ir.NewTensor(ir.Float32, c.updShape)})
		if c.duplicated && (err == nil || !strings.Contains(err.Error(), "undefined")) {
			t.Errorf("mode %v indices %v: got %v, want the duplicate refused", c.mode, c.idx.Ints(), err)
		}
		if !c.duplicated && err != nil {
			t.Errorf("mode %v indices %v: %v", c.mode, c.idx.Ints(), err)
		}
	}
}

func TestScatterRejects(t *testing.T) {
	n := NewNetwork()
	n.AddScatter(n.AddInput("x", ir.Float32, ir.S(3, 2)), n.AddInput("i", ir.Int64, ir.S(2, 1)), n.AddInput("u", ir.Float32, ir.S(2, 3)), network.ScatterND, 0)
	if err := n.Err(); err == nil || !strings.Contains(err.Error(), "updates") {
		t.Fatalf("wrong updates shape: got %v", err)
	}
	n = NewNetwork()
	n.MarkOutput(n.AddScatter(n.AddInput("x", ir.Float32, ir.S(3)), n.AddInput("i", ir.Int64, ir.S(1)), n.AddInput("u", ir.Float32, ir.S(1)), network.ScatterELEMENT, 0), "y")
	blob, err := n.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	e, _ := Load(blob)
	_, err = e.Run(map[string]*ir.Tensor{"x": iota32(3), "i": ir.FromSlice(ir.Int64, []int64{1}, []int64{-1}), "u": iota32(1)})
	if err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("negative index: got %v", err)
	}
}
