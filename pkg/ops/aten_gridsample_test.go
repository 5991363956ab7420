package ops

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// grid_sample on [[1, 2], [3, 4]] against values worked out from
// torch.nn.functional.grid_sample's definition.
func TestGridSampler2d(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{1, 1, 2, 2}, []float32{1, 2, 3, 4})
	pts := []float32{-1, -1, 1, 1, 0, 0, 0.4, -1, 1.8, -1}
	grid := ir.FromSlice(ir.Float32, []int64{1, 1, 5, 2}, pts)
	for _, c := range []struct {
		name                string
		mode, padding, algn int64
		want                []float64
	}{
		{"bilinear align", 0, 0, 1, []float64{1, 4, 2.5, 1.7, 1.2}}, // (0.4, -1) is pixel (0.7, 0)
		// align_corners=False: (-1,-1) is pixel (-0.5,-0.5), a quarter of 1;
		// (0.4, -1) is (0.9, -0.5), half of row 0's 1.9; (1.8, -1) is
		// (2.3, -0.5): outside (zeros), clamped to column 1 (border), or
		// reflected to 0.7 (reflection).
		{"bilinear zeros", 0, 0, 0, []float64{0.25, 1, 2.5, 0.95, 0}},
		{"bilinear border", 0, 1, 0, []float64{1, 4, 2.5, 1.9, 2}},
		{"bilinear reflection", 0, 2, 0, []float64{1, 4, 2.5, 1.9, 1.7}},
		// nearest rounds half to even: (0.5, 0.5) is pixel (0, 0).
		{"nearest align", 1, 0, 1, []float64{1, 4, 1, 2, 2}},
		// bicubic, border, align: (1.8, -1) is pixel (1.4, 0); PyTorch
		// clamps each tap (columns 0, 1, 1, 1 with weights w(0.4)), so the
		// sample is 1*w0 + 2*(1-w0) with w0 = -0.108; clamping the point
		// first (ONNX's rule) would give 2. (0.4, -1) is pixel (0.7, 0):
		// columns 0, 0, 1, 1, so 1 + w2(0.7) + w3(0.7) = 1 + 0.83125 - 0.11025.
		{"bicubic border", 2, 1, 1, []float64{1, 4, 2.5, 1.721, 2.108}},
	} {
		n := &ir.Node{Name: "g", Op: "aten.grid_sampler_2d.default", Outputs: []string{"y"}, Attrs: map[string]ir.Attr{
			"interpolation_mode": {Kind: ir.AttrInt, I: c.mode}, "padding_mode": {Kind: ir.AttrInt, I: c.padding},
			"align_corners": {Kind: ir.AttrInt, I: c.algn}}}
		out, err := Execute(n, []*ir.Tensor{x, grid})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for i, w := range c.want {
			if g := out[0].Float(i); g < w-1e-6 || g > w+1e-6 {
				t.Errorf("%s: sample %d is %v, want %v", c.name, i, g, w)
			}
		}
	}
	bad := &ir.Node{Name: "g", Op: "aten.grid_sampler_2d.default", Outputs: []string{"y"}, Attrs: map[string]ir.Attr{"interpolation_mode": {Kind: ir.AttrInt, I: 3}}}
	if _, err := Execute(bad, []*ir.Tensor{x, grid}); err == nil {
		t.Error("interpolation_mode 3 was accepted")
	}
}
