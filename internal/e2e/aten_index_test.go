package e2e

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/trtc-dev/trtc/pkg/graphio"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// Advanced indexing and index_put through the whole tool: an ATen graph
// (.pb) compiled with every node allowed in engines gives the same values
// as the build with every node in fallback (pkg/lower's index_test.go
// checks the fallback values against PyTorch's rule element by element).
func TestATenIndexPutEnginesMatchKernels(t *testing.T) {
	x := ir.NewTensor(ir.Float32, []int64{2, 3, 4, 5})
	for i := 0; i < int(x.Numel()); i++ {
		x.SetFloat(i, float64(i%17)-3)
	}
	i64 := func(dims []int64, v ...int64) *ir.Tensor { return ir.FromSlice(ir.Int64, dims, v) }
	type idx struct {
		dim int
		t   *ir.Tensor
	}
	for _, c := range []struct {
		name string
		op   string
		idx  []idx
		vals *ir.Tensor
		acc  int64
	}{
		// (Accumulating index_put runs as a kernel: ScatterND's converter
		// takes reduction none only, as TensorRT's Scatter layer replaces.)
		{"index non-adjacent", "aten.index.Tensor", []idx{{1, i64([]int64{2}, 2, 0)}, {3, i64([]int64{2}, 4, 1)}}, nil, 0},
		{"index adjacent inner", "aten.index.Tensor", []idx{{1, i64([]int64{3}, 2, 0, 1)}, {2, i64([]int64{2, 3}, 0, 1, 3, 2, 2, 1)}}, nil, 0},
		{"index_put non-adjacent", "aten.index_put.default", []idx{{0, i64([]int64{3}, 1, 0, 1)}, {2, i64([]int64{3}, 3, 0, 2)}}, ir.Scalar(ir.Float32, 7), 0},
		{"index_put adjacent accumulate", "aten.index_put.default", []idx{{1, i64([]int64{3}, 2, 0, 2)}, {2, i64([]int64{3}, 1, 1, 3)}}, ir.Scalar(ir.Float32, 2.5), 1},
		{"index_put bool mask", "aten.index_put.default", []idx{{0, ir.FromSlice(ir.Bool, []int64{2, 3}, []uint8{1, 0, 1, 0, 1, 1})}}, ir.Scalar(ir.Float32, -4), 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			g := ir.NewGraph("idx", "aten")
			g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.S(x.Shape...)}
			g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
			ins := []string{"x"}
			k := 0
			for _, s := range c.idx {
				for k < s.dim {
					ins = append(ins, "")
					k++
				}
				name := fmt.Sprintf("i%d", s.dim)
				g.Values[name] = &ir.Value{Name: name, DType: s.t.DType, Shape: ir.S(s.t.Shape...), Const: s.t}
				ins = append(ins, name)
				k++
			}
			attrs := map[string]ir.Attr{"_list_indices": {Kind: ir.AttrInt, I: int64(k)}, "accumulate": {Kind: ir.AttrInt, I: c.acc}}
			if c.vals != nil {
				g.Values["v"] = &ir.Value{Name: "v", DType: c.vals.DType, Shape: ir.S(c.vals.Shape...), Const: c.vals}
				ins = append(ins, "v")
			} else {
				delete(attrs, "accumulate")
			}
			g.Nodes = []*ir.Node{{Name: "op", Op: c.op, Inputs: ins, Outputs: []string{"y"}, Attrs: attrs}}
			model := filepath.Join(tmp, "m.pb")
			if err := graphio.WriteFile(model, g); err != nil {
				t.Fatal(err)
			}
			xin := filepath.Join(tmp, "x.npy")
			if err := tensorio.WriteNPY(xin, x); err != nil {
				t.Fatal(err)
			}
			var outs []*ir.Tensor
			for i, mbs := range []string{"1", "1000000"} {
				b := filepath.Join(tmp, fmt.Sprintf("b%d.trtb", i))
				rep := filepath.Join(tmp, fmt.Sprintf("r%d.json", i))
				mustTrtc(t, "compile", model, "-o", b, "--min-block-size", mbs, "--report", rep)
				if r := readReport(t, rep); i == 0 && c.acc == 0 && r.ConvertedNodes == 0 {
					t.Errorf("no node in engines: %+v", r.Unsupported)
				}
				od := filepath.Join(tmp, fmt.Sprintf("o%d", i))
				mustTrtc(t, "run", b, "--input", "x="+xin, "--output-dir", od)
				y, err := tensorio.ReadNPY(filepath.Join(od, "y.npy"))
				if err != nil {
					t.Fatal(err)
				}
				outs = append(outs, y)
			}
			if d := tensorio.Diff(outs[0], outs[1], 0, 0); !d.OK {
				t.Errorf("engines vs kernels: %s", d)
			}
		})
	}
}
