package aten_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

var elementwiseCases = []convtest.Case{
	{Op: "aten.add.Tensor", Inputs: []convtest.Input{f32(2, 3), f32(3)}, Attrs: A{"alpha": af(2)}},
	{Op: "aten.add_.Tensor", Inputs: []convtest.Input{f32(2, 3), f32(2, 3)}},
	{Op: "aten.add.Scalar", Inputs: []convtest.Input{typed(ir.Int64, 2, 3)}, Attrs: A{"other": af(2), "_int_other": ai(1)}},
	{Op: "aten.sub.Tensor", Inputs: []convtest.Input{f32(2, 3), absent}, Attrs: A{"other": af(0.5)}},
	{Op: "aten.sub.Scalar", Inputs: []convtest.Input{f32(4)}, Attrs: A{"other": af(1.5), "alpha": af(3)}},
	{Op: "aten.sub_.Tensor", Inputs: []convtest.Input{f32(2, 3), f32(1, 3)}},
	{Op: "aten.mul.Tensor", Inputs: []convtest.Input{f32(2, 3), typed(ir.Float32)}},
	{Op: "aten.mul.Scalar", Inputs: []convtest.Input{f32(2, 3)}, Attrs: A{"other": af(-3)}},
	{Op: "aten.mul_.Tensor", Inputs: []convtest.Input{f32(2, 3), f32(2, 1)}},
	{Op: "aten.div.Tensor", Inputs: []convtest.Input{f32(2, 3), {DType: ir.Float32, Shape: ir.S(3), Lo: 0.5, Hi: 2}}},
	{Op: "aten.div.Scalar", Inputs: []convtest.Input{f32(2, 3)}, Attrs: A{"other": af(4)}},
	{Op: "aten.div_.Tensor", Inputs: []convtest.Input{f32(5), {DType: ir.Float32, Shape: ir.S(5), Lo: 1, Hi: 2}}},
	{Op: "aten.rsub.Tensor", Inputs: []convtest.Input{f32(2, 3), f32(2, 3)}, Attrs: A{"alpha": af(2)}},
	{Op: "aten.rsub.Scalar", Inputs: []convtest.Input{f32(2, 3)}, Attrs: A{"other": af(1)}},
	{Op: "aten.eq.Tensor", Inputs: []convtest.Input{typed(ir.Int64, 3, 4), typed(ir.Int64, 4)}},
	{Op: "aten.eq.Scalar", Inputs: []convtest.Input{typed(ir.Int64, 3, 4)}, Attrs: A{"other": af(2), "_int_other": ai(1)}},
	{Op: "aten.ne.Tensor", Inputs: []convtest.Input{typed(ir.Int32, 6), typed(ir.Int32, 6)}},
	{Op: "aten.ne.Scalar", Inputs: []convtest.Input{typed(ir.Int64, 6)}, Attrs: A{"other": af(1), "_int_other": ai(1)}},
	{Op: "aten.lt.Tensor", Inputs: []convtest.Input{f32(2, 3), f32(2, 3)}},
	{Op: "aten.lt.Scalar", Inputs: []convtest.Input{f32(2, 3)}, Attrs: A{"other": af(0)}},
	{Op: "aten.le.Tensor", Inputs: []convtest.Input{typed(ir.Int64, 8), typed(ir.Int64, 8)}},
	{Op: "aten.le.Scalar", Inputs: []convtest.Input{typed(ir.Int64, 8)}, Attrs: A{"other": af(2), "_int_other": ai(1)}},
	{Op: "aten.gt.Tensor", Inputs: []convtest.Input{f32(2, 3), f32(3)}},
	{Op: "aten.gt.Scalar", Inputs: []convtest.Input{typed(ir.Int64, 8)}, Attrs: A{"other": af(1.5)}},
	{Op: "aten.ge.Tensor", Inputs: []convtest.Input{typed(ir.Int64, 8), typed(ir.Int64, 8)}},
	{Op: "aten.ge.Scalar", Inputs: []convtest.Input{f32(8)}, Attrs: A{"other": af(0.1)}},
	{Op: "aten.logical_and.default", Inputs: []convtest.Input{typed(ir.Bool, 2, 4), typed(ir.Int64, 4)}},
	{Op: "aten.logical_or.default", Inputs: []convtest.Input{typed(ir.Bool, 2, 4), typed(ir.Bool, 2, 4)}},
	{Op: "aten.logical_xor.default", Inputs: []convtest.Input{typed(ir.Bool, 2, 4), typed(ir.Bool, 2, 4)}},
	{Op: "aten.logical_not.default", Inputs: []convtest.Input{typed(ir.Int64, 2, 4)}},
	{Op: "aten.pow.Tensor_Tensor", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.S(2, 3), Lo: 0.5, Hi: 2}, f32(2, 3)}},
	{Op: "aten.pow.Tensor_Scalar", Inputs: []convtest.Input{f32(2, 3)}, Attrs: A{"exponent": af(2), "_int_exponent": ai(1)}},
	{Op: "aten.pow.Scalar", Inputs: []convtest.Input{absent, f32(2, 3)}, Attrs: A{"self": af(2)}},
	{Op: "aten.maximum.default", Inputs: []convtest.Input{f32(2, 3), f32(3)}},
	{Op: "aten.minimum.default", Inputs: []convtest.Input{typed(ir.Int64, 2, 3), typed(ir.Int64, 2, 3)}},
	// Dynamic batch: a scalar operand broadcasts against a symbolic dim.
	{Op: "aten.add.Tensor", Inputs: []convtest.Input{{DType: ir.Float32, Shape: ir.Shape{ir.Sym("b"), ir.D(3)}, RunShape: []int64{4, 3}}, absent}, Attrs: A{"other": af(1)}},
}

func init() { allCases = append(allCases, elementwiseCases) }

func TestElementwise(t *testing.T) { runCases(t, elementwiseCases) }

// An int tensor plus a float scalar promotes to float32, as in PyTorch.
func TestAddPromotesIntWithFloatScalar(t *testing.T) {
	r := convtest.Run(t, convtest.Case{Op: "aten.add.Scalar", Inputs: []convtest.Input{typed(ir.Int64, 3)}, Attrs: A{"other": af(0.5)}})
	if r.Engine[0].DType != ir.Float32 {
		t.Fatalf("dtype %v, want float32", r.Engine[0].DType)
	}
}
