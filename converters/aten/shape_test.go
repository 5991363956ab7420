package aten_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/ir"
)

var dyn = convtest.Input{DType: ir.Float32, Shape: ir.Shape{ir.Sym("b"), ir.D(4), ir.D(6)}, RunShape: []int64{2, 4, 6}}

var shapeCases = []convtest.Case{
	{Op: "aten.view.default", Inputs: []convtest.Input{f32(2, 3, 4)}, Attrs: A{"size": aints(6, -1)}},
	{Op: "aten.view.default", Inputs: []convtest.Input{dyn}, Attrs: A{"size": aints(-1, 24)}},
	{Op: "aten.view.default", Inputs: []convtest.Input{dyn}, Attrs: A{"size": aints(-1, 2, 2, 6), "_sym_size": aints(0, -1, -1, -1)}},
	{Op: "aten._unsafe_view.default", Inputs: []convtest.Input{f32(2, 6)}, Attrs: A{"size": aints(3, 4)}},
	{Op: "aten.reshape.default", Inputs: []convtest.Input{f32(2, 6)}, Attrs: A{"shape": aints(12)}},
	{Op: "aten.flatten.using_ints", Inputs: []convtest.Input{f32(2, 3, 4, 5)}, Attrs: A{"start_dim": ai(1), "end_dim": ai(2)}},
	{Op: "aten.flatten.using_ints", Inputs: []convtest.Input{dyn}, Attrs: A{"start_dim": ai(1)}},
	{Op: "aten.permute.default", Inputs: []convtest.Input{f32(2, 3, 4)}, Attrs: A{"dims": aints(2, 0, 1)}},
	{Op: "aten.transpose.int", Inputs: []convtest.Input{dyn}, Attrs: A{"dim0": ai(-1), "dim1": ai(1)}},
	{Op: "aten.t.default", Inputs: []convtest.Input{f32(3, 5)}},
	{Op: "aten.expand.default", Inputs: []convtest.Input{f32(3, 1)}, Attrs: A{"size": aints(2, -1, 4)}},
	{Op: "aten.unsqueeze.default", Inputs: []convtest.Input{dyn}, Attrs: A{"dim": ai(-1)}},
	{Op: "aten.squeeze.dims", Inputs: []convtest.Input{f32(2, 1, 3, 1)}, Attrs: A{"dim": aints(1, 2)}},
	{Op: "aten.squeeze.dim", Inputs: []convtest.Input{f32(2, 1, 3)}, Attrs: A{"dim": ai(1)}},
	{Op: "aten.squeeze.default", Inputs: []convtest.Input{f32(1, 3, 1)}},
	{Op: "aten.clone.default", Inputs: []convtest.Input{f32(2, 3)}},
	{Op: "aten.alias.default", Inputs: []convtest.Input{typed(ir.Int64, 2, 3)}},
	{Op: "aten.contiguous.default", Inputs: []convtest.Input{f32(2, 3)}},
	{Op: "aten.detach.default", Inputs: []convtest.Input{f32(2, 3)}},
	{Op: "aten.lift_fresh_copy.default", Inputs: []convtest.Input{f32(2, 3)}},
	{Op: "aten.dropout.default", Inputs: []convtest.Input{f32(2, 3)}, Attrs: A{"p": af(0.1), "train": ai(0)}},
	{Op: "aten._to_copy.default", Inputs: []convtest.Input{f32(2, 3)}, Attrs: A{"dtype": ai(int64(ir.Int32))}},
	{Op: "aten._to_copy.default", Inputs: []convtest.Input{f32(2, 3)}},
	// uint8 both ways, negative integers wrapping modulo 256.
	{Op: "aten._to_copy.default", Inputs: []convtest.Input{{DType: ir.Int32, Shape: ir.S(3, 4), Lo: -300, Hi: 300}}, Attrs: A{"dtype": ai(int64(ir.Uint8))}},
	{Op: "aten._to_copy.default", Inputs: []convtest.Input{{DType: ir.Uint8, Shape: ir.S(3, 4), Lo: 0, Hi: 255}}, Attrs: A{"dtype": ai(int64(ir.Int64))}},
}

var sliceCases = []convtest.Case{
	{Op: "aten.slice.Tensor", Inputs: []convtest.Input{f32(4, 6)}, Attrs: A{"dim": ai(1), "start": ai(1), "end": ai(9223372036854775807), "step": ai(2)}},
	{Op: "aten.slice.Tensor", Inputs: []convtest.Input{dyn}, Attrs: A{"dim": ai(2), "start": ai(-4), "end": ai(-1)}},
	{Op: "aten.select.int", Inputs: []convtest.Input{f32(3, 4)}, Attrs: A{"dim": ai(1), "index": ai(-1)}},
	{Op: "aten.split.Tensor", Inputs: []convtest.Input{f32(2, 7)}, Attrs: A{"split_size": ai(3), "dim": ai(1)}, NumOutputs: 3},
	{Op: "aten.split_with_sizes.default", Inputs: []convtest.Input{dyn}, Attrs: A{"split_sizes": aints(1, 5), "dim": ai(2)}, NumOutputs: 2},
	{Op: "aten.cat.default", Inputs: []convtest.Input{f32(2, 3), f32(2, 1), typed(ir.Int64, 2, 2)}, Attrs: A{"dim": ai(-1), "_list_tensors": ai(3)}},
	{Op: "aten.embedding.default", Inputs: []convtest.Input{cf32(10, 4), {DType: ir.Int64, Shape: ir.S(2, 3), Lo: 0, Hi: 10}}},
	{Op: "aten.index.Tensor", Inputs: []convtest.Input{f32(3, 5), absent, {DType: ir.Int64, Shape: ir.S(4), Lo: 0, Hi: 5}}, Attrs: A{"_list_indices": ai(2)}},
	{Op: "aten.constant_pad_nd.default", Inputs: []convtest.Input{f32(1, 2, 3, 3)}, Attrs: A{"pad": aints(1, 2, 0, 1), "value": af(-1)}},
	{Op: "aten.upsample_nearest2d.default", Inputs: []convtest.Input{f32(1, 2, 3, 4)}, Attrs: A{"output_size": aints(6, 6)}},
	{Op: "aten.upsample_nearest2d.vec", Inputs: []convtest.Input{f32(1, 2, 3, 4)}, Attrs: A{"scale_factors": {Kind: ir.AttrFloats, Floats: []float32{2, 2}}}},
}

func init() { allCases = append(allCases, shapeCases, sliceCases) }

func TestShape(t *testing.T) { runCases(t, shapeCases) }
func TestSlice(t *testing.T) { runCases(t, sliceCases) }
