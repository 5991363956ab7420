package tensorrt

import (
	"math"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// shapeT is a network tensor for parameter checks.
type shapeT struct{}

func (shapeT) Name() string    { return "dims" }
func (shapeT) DType() ir.DType { return ir.Int64 }
func (shapeT) Shape() ir.Shape { return ir.S(4) }

func TestCheckResize(t *testing.T) {
	cases := []struct {
		name string
		p    network.ResizeParams
		rank int
		want string // "" for accepted
	}{
		{"dims", network.ResizeParams{OutputDims: []int64{1, 3, 8, 8}}, 4, ""},
		{"tensor", network.ResizeParams{OutputDimsT: shapeT{}}, 4, ""},
		{"scales", network.ResizeParams{Scales: []float32{1, 1, 2, 2}}, 4, ""},
		{"unknown input", network.ResizeParams{Scales: []float32{2}}, -1, ""},
		{"none", network.ResizeParams{}, 4, "exactly one of OutputDims, OutputDimsT and Scales must be set, not 0"},
		{"two", network.ResizeParams{OutputDims: []int64{8}, Scales: []float32{2}}, 1, "not 2"},
		{"three", network.ResizeParams{OutputDims: []int64{8}, OutputDimsT: shapeT{}, Scales: []float32{2}}, 1, "not 3"},
		{"dims rank", network.ResizeParams{OutputDims: []int64{8, 8}}, 4, "2 output dims for an input of rank 4"},
		{"scales rank", network.ResizeParams{Scales: []float32{2, 2}}, 4, "2 scales for an input of rank 4"},
		{"zero scale", network.ResizeParams{Scales: []float32{1, 0}}, 2, "scale 0 of dim 1 is not positive"},
		{"NaN scale", network.ResizeParams{Scales: []float32{float32(math.NaN())}}, 1, "scale NaN of dim 0"},
		{"nine scales", network.ResizeParams{Scales: make([]float32, 9)}, -1, "9 scales, more than TensorRT's 8 dims"},
		{"scalar", network.ResizeParams{OutputDims: []int64{}}, 0, "input rank 0 is outside TensorRT's 1..8"},
	}
	for _, c := range cases {
		err := checkResize(c.p, c.rank)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

func TestCubicCoeff(t *testing.T) {
	if got := cubicCoeff(0); got != -0.75 {
		t.Errorf("cubicCoeff(0) = %v, want TensorRT's default -0.75", got)
	}
	if got := cubicCoeff(-0.5); got != -0.5 {
		t.Errorf("cubicCoeff(-0.5) = %v", got)
	}
}
