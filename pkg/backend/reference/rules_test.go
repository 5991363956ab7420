package reference

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// A rule case builds a network that breaks the rule (bad) and the nearest
// one that keeps it (good).
type ruleCase struct{ bad, good func(n *Network) }

func f32(n *Network, name string, dims ...int64) network.Tensor {
	return n.AddInput(name, ir.Float32, ir.S(dims...))
}
func rope(n *Network, x, c, s, pos network.Tensor, dim int) network.Tensor {
	return n.AddRotaryEmbedding(x, c, s, pos, false, dim)
}
func in(n *Network, name string, dt ir.DType, dims ...int64) network.Tensor {
	return n.AddInput(name, dt, ir.S(dims...))
}
func ints64(n *Network, v ...int64) network.Tensor {
	return n.AddConstant(ir.FromSlice(ir.Int64, []int64{int64(len(v))}, v))
}
func conv2(k int64) network.ConvolutionParams {
	return network.ConvolutionParams{NbOutputMaps: 1, KernelSize: []int64{1, 1}, Kernel: ir.NewTensor(ir.Float32, []int64{1, k, 1, 1})}
}
func deconv2(c int64) network.DeconvolutionParams {
	return network.DeconvolutionParams{NbOutputMaps: 1, KernelSize: []int64{1, 1}, Kernel: ir.NewTensor(ir.Float32, []int64{c, 1, 1, 1})}
}
func at(v network.Version) func(*Network) { return func(n *Network) { n.SetTargetVersion(v) } }

// ruleCases has a case for every rule of the table that is not a plain
// input dtype rule (those are checked dtype by dtype in
// TestInputDTypeRules): parameter rules, rank rules, output dtype rules and
// version rules. TestEveryRuleHasACase refuses a table rule without one.
var ruleCases = map[string]ruleCase{
	"ElementWise.same_rank_and_type": {
		bad:  func(n *Network) { n.AddElementWise(f32(n, "a", 2, 3), f32(n, "b", 3), network.ElementWiseSUM) },
		good: func(n *Network) { n.AddElementWise(f32(n, "a", 2, 3), f32(n, "b", 1, 3), network.ElementWiseSUM) },
	},
	"ElementWise.logical_bool": {
		bad: func(n *Network) {
			n.AddElementWise(in(n, "a", ir.Int32, 2), in(n, "b", ir.Int32, 2), network.ElementWiseAND)
		},
		good: func(n *Network) {
			n.AddElementWise(in(n, "a", ir.Bool, 2), in(n, "b", ir.Bool, 2), network.ElementWiseAND)
		},
	},
	"Activation.int_relu_only": {
		bad: func(n *Network) {
			n.AddActivation(in(n, "a", ir.Int32, 2), network.ActivationParams{Type: network.ActivationSIGMOID})
		},
		good: func(n *Network) {
			x := in(n, "a", ir.Int32, 2)
			n.MarkOutput(n.AddActivation(x, network.ActivationParams{Type: network.ActivationRELU}), "y")
		},
	},
	"Unary.unary_op_dtype": { // finding 4: kNEG takes floats only
		bad:  func(n *Network) { n.AddUnary(in(n, "a", ir.Int32, 2), network.UnaryNEG) },
		good: func(n *Network) { n.AddUnary(in(n, "a", ir.Int32, 2), network.UnaryABS) },
	},
	"Unary.unary_isnan_since": {
		bad: func(n *Network) {
			at(network.Version{Major: 10, Minor: 0})(n)
			n.AddUnary(f32(n, "a", 2), network.UnaryISNAN)
		},
		good: func(n *Network) {
			at(network.Version{Major: 10, Minor: 1})(n)
			n.AddUnary(f32(n, "a", 2), network.UnaryISNAN)
		},
	},
	"Convolution.input.rank": { // finding 3: 1-D convolution
		bad: func(n *Network) {
			n.AddConvolutionNd(f32(n, "x", 1, 2, 5), network.ConvolutionParams{NbOutputMaps: 1, KernelSize: []int64{1}, Kernel: ir.NewTensor(ir.Float32, []int64{1, 2, 1})})
		},
		good: func(n *Network) { n.AddConvolutionNd(f32(n, "x", 1, 2, 5, 1), conv2(2)) },
	},
	"Convolution.static_channels": {
		bad: func(n *Network) {
			n.AddConvolutionNd(n.AddInput("x", ir.Float32, ir.Shape{ir.D(1), ir.Sym("C"), ir.D(3), ir.D(3)}), conv2(2))
		},
		good: func(n *Network) {
			n.AddConvolutionNd(n.AddInput("x", ir.Float32, ir.Shape{ir.Sym("N"), ir.D(2), ir.D(3), ir.D(3)}), conv2(2))
		},
	},
	"Pooling.input.rank": {
		bad: func(n *Network) { n.AddPoolingNd(f32(n, "x", 1, 2, 6), network.PoolingParams{WindowSize: []int64{2}}) },
		good: func(n *Network) {
			n.AddPoolingNd(f32(n, "x", 1, 2, 6, 1), network.PoolingParams{WindowSize: []int64{2, 1}})
		},
	},
	"Deconvolution.input.rank": {
		bad: func(n *Network) {
			n.AddDeconvolutionNd(f32(n, "x", 1, 2, 5), network.DeconvolutionParams{NbOutputMaps: 1, KernelSize: []int64{1}, Kernel: ir.NewTensor(ir.Float32, []int64{2, 1, 1})})
		},
		good: func(n *Network) { n.AddDeconvolutionNd(f32(n, "x", 1, 2, 5, 1), deconv2(2)) },
	},
	"Deconvolution.static_channels": {
		bad: func(n *Network) {
			n.AddDeconvolutionNd(n.AddInput("x", ir.Float32, ir.Shape{ir.D(1), ir.Sym("C"), ir.D(3), ir.D(3)}), deconv2(2))
		},
		good: func(n *Network) { n.AddDeconvolutionNd(f32(n, "x", 1, 2, 3, 3), deconv2(2)) },
	},
	"Shuffle.reshape_dims.rank": {
		bad: func(n *Network) {
			n.AddShuffle(f32(n, "x", 2, 3), network.ShuffleParams{ReshapeTensor: n.AddConstant(ir.FromSlice(ir.Int64, []int64{1, 1}, []int64{6}))})
		},
		good: func(n *Network) { n.AddShuffle(f32(n, "x", 2, 3), network.ShuffleParams{ReshapeTensor: ints64(n, 6)}) },
	},
	"Reduce.axes_in_rank": {
		bad:  func(n *Network) { n.AddReduce(f32(n, "x", 2, 3), network.ReduceSUM, 4, false) },
		good: func(n *Network) { n.AddReduce(f32(n, "x", 2, 3), network.ReduceSUM, 2, false) },
	},
	"SoftMax.softmax_one_axis": {
		bad:  func(n *Network) { n.AddSoftMax(f32(n, "x", 2, 3), 3) },
		good: func(n *Network) { n.AddSoftMax(f32(n, "x", 2, 3), 2) },
	},
	"Concatenation.concat_same_dims": {
		bad:  func(n *Network) { n.AddConcatenation([]network.Tensor{f32(n, "a", 2, 3), f32(n, "b", 3, 3)}, 1) },
		good: func(n *Network) { n.AddConcatenation([]network.Tensor{f32(n, "a", 2, 3), f32(n, "b", 2, 5)}, 1) },
	},
	"Slice.start.rank": {
		bad: func(n *Network) {
			n.AddSlice(f32(n, "x", 4), network.SliceParams{StartT: n.AddConstant(ir.Scalar(ir.Int64, 1)), Size: []int64{2}, Stride: []int64{1}})
		},
		good: func(n *Network) {
			n.AddSlice(f32(n, "x", 4), network.SliceParams{StartT: ints64(n, 1), Size: []int64{2}, Stride: []int64{1}})
		},
	},
	"Slice.size.rank": {
		bad: func(n *Network) {
			n.AddSlice(f32(n, "x", 4), network.SliceParams{Start: []int64{1}, SizeT: n.AddConstant(ir.Scalar(ir.Int64, 2)), Stride: []int64{1}})
		},
		good: func(n *Network) {
			n.AddSlice(f32(n, "x", 4), network.SliceParams{Start: []int64{1}, SizeT: ints64(n, 2), Stride: []int64{1}})
		},
	},
	"Slice.stride.rank": {
		bad: func(n *Network) {
			n.AddSlice(f32(n, "x", 4), network.SliceParams{Start: []int64{1}, Size: []int64{2}, StrideT: n.AddConstant(ir.Scalar(ir.Int64, 1))})
		},
		good: func(n *Network) {
			n.AddSlice(f32(n, "x", 4), network.SliceParams{Start: []int64{1}, Size: []int64{2}, StrideT: ints64(n, 1)})
		},
	},
	"Slice.axes.rank": {
		bad: func(n *Network) {
			n.AddSlice(f32(n, "x", 4, 4), network.SliceParams{Start: []int64{1}, Size: []int64{2}, Stride: []int64{1}, Axes: n.AddConstant(ir.Scalar(ir.Int64, 1))})
		},
		good: func(n *Network) {
			n.AddSlice(f32(n, "x", 4, 4), network.SliceParams{Start: []int64{1}, Size: []int64{2}, Stride: []int64{1}, Axes: ints64(n, 1)})
		},
	},
	"Slice.axes.since": {
		bad: func(n *Network) {
			at(network.Version{Major: 10, Minor: 2})(n)
			n.AddSlice(f32(n, "x", 4, 4), network.SliceParams{Start: []int64{1}, Size: []int64{2}, Stride: []int64{1}, Axes: ints64(n, 1)})
		},
		good: func(n *Network) {
			at(network.Version{Major: 10, Minor: 3})(n)
			n.AddSlice(f32(n, "x", 4, 4), network.SliceParams{Start: []int64{1}, Size: []int64{2}, Stride: []int64{1}, Axes: ints64(n, 1)})
		},
	},
	"Gather.data.rank": {
		bad:  func(n *Network) { n.AddGather(f32(n, "x"), ints64(n, 0), 0, network.GatherDEFAULT) },
		good: func(n *Network) { n.AddGather(f32(n, "x", 1), ints64(n, 0), 0, network.GatherDEFAULT) },
	},
	"Gather.gather_elementwise_dims": {
		bad: func(n *Network) {
			n.AddGatherND(f32(n, "x", 2, 3), n.AddConstant(ir.FromSlice(ir.Int64, []int64{2, 1}, []int64{0, 1})), 1)
		},
		good: func(n *Network) {
			n.AddGatherND(f32(n, "x", 2, 3, 1), n.AddConstant(ir.FromSlice(ir.Int64, []int64{2, 1}, []int64{0, 1})), 1)
		},
	},
	"Select.select_same_rank": {
		bad:  func(n *Network) { n.AddSelect(in(n, "c", ir.Bool, 2), f32(n, "a", 1, 2), f32(n, "b", 1, 2)) },
		good: func(n *Network) { n.AddSelect(in(n, "c", ir.Bool, 1, 2), f32(n, "a", 1, 2), f32(n, "b", 1, 2)) },
	},
	"Cast.uint8_float_only": { // finding 6
		bad:  func(n *Network) { n.AddCast(in(n, "a", ir.Int32, 2), ir.Uint8) },
		good: func(n *Network) { n.AddCast(in(n, "a", ir.Float16, 2), ir.Uint8) },
	},
	"Constant.output.dtype": { // finding 6: addConstant refuses kUINT8
		bad:  func(n *Network) { n.AddConstant(ir.NewTensor(ir.Uint8, []int64{2})) },
		good: func(n *Network) { n.AddConstant(ir.NewTensor(ir.Int8, []int64{2})) },
	},
	"Normalization.norm_scale_bias": {
		bad: func(n *Network) {
			s := n.AddConstant(ir.NewTensor(ir.Float32, []int64{3}))
			n.AddNormalization(f32(n, "x", 2, 3), s, s, 2, 1e-5)
		},
		good: func(n *Network) {
			s := n.AddConstant(ir.NewTensor(ir.Float32, []int64{1, 3}))
			n.AddNormalization(f32(n, "x", 2, 3), s, s, 2, 1e-5)
		},
	},
	"Fill.dimensions.rank": {
		bad: func(n *Network) {
			n.AddFill(network.FillParams{Op: network.FillLINSPACE, DType: ir.Float32, DimsT: n.AddConstant(ir.Scalar(ir.Int64, 3)), Beta: 1})
		},
		good: func(n *Network) {
			n.AddFill(network.FillParams{Op: network.FillLINSPACE, DType: ir.Float32, DimsT: ints64(n, 3), Beta: 1})
		},
	},
	"Fill.linspace_static_rank1": {
		bad: func(n *Network) {
			n.AddFill(network.FillParams{Op: network.FillLINSPACE, DType: ir.Float32, Dims: []int64{2, 3}, Beta: 1})
		},
		good: func(n *Network) {
			n.AddFill(network.FillParams{Op: network.FillLINSPACE, DType: ir.Float32, Dims: []int64{6}, Beta: 1})
		},
	},
	"Fill.static_alpha_exact": { // finding 13
		bad: func(n *Network) {
			n.AddFill(network.FillParams{Op: network.FillLINSPACE, DType: ir.Int64, Dims: []int64{3}, Alpha: math.Ldexp(1, 60), Beta: 1})
		},
		good: func(n *Network) {
			n.AddFill(network.FillParams{Op: network.FillLINSPACE, DType: ir.Int64, Dims: []int64{3},
				AlphaT: n.AddConstant(ir.FromSlice(ir.Int64, []int64{}, []int64{1 << 60})), BetaT: ints64(n, 1)})
		},
	},
	"RotaryEmbedding.since": {
		bad: func(n *Network) {
			at(network.Version{Major: 10, Minor: 14})(n)
			rope(n, f32(n, "x", 1, 2, 3, 4), f32(n, "c", 1, 3, 2), f32(n, "s", 1, 3, 2), nil, 0)
		},
		good: func(n *Network) {
			at(network.Version{Major: 10, Minor: 15})(n)
			rope(n, f32(n, "x", 1, 2, 3, 4), f32(n, "c", 1, 3, 2), f32(n, "s", 1, 3, 2), nil, 0)
		},
	},
	"RotaryEmbedding.input.rank": {
		bad:  func(n *Network) { rope(n, f32(n, "x", 2, 3, 4), f32(n, "c", 1, 3, 2), f32(n, "s", 1, 3, 2), nil, 0) },
		good: func(n *Network) { rope(n, f32(n, "x", 1, 2, 3, 4), f32(n, "c", 1, 3, 2), f32(n, "s", 1, 3, 2), nil, 0) },
	},
	"RotaryEmbedding.cos_cache.rank": {
		bad:  func(n *Network) { rope(n, f32(n, "x", 1, 2, 3, 4), f32(n, "c", 6), f32(n, "s", 1, 3, 2), nil, 0) },
		good: func(n *Network) { rope(n, f32(n, "x", 1, 2, 3, 4), f32(n, "c", 1, 3, 2), f32(n, "s", 1, 3, 2), nil, 0) },
	},
	"RotaryEmbedding.sin_cache.rank": {
		bad: func(n *Network) {
			rope(n, f32(n, "x", 1, 2, 3, 4), f32(n, "c", 1, 3, 2), f32(n, "s", 1, 1, 3, 2), nil, 0)
		},
		good: func(n *Network) { rope(n, f32(n, "x", 1, 2, 3, 4), f32(n, "c", 1, 3, 2), f32(n, "s", 1, 3, 2), nil, 0) },
	},
	"RotaryEmbedding.position_ids.rank": {
		bad: func(n *Network) {
			rope(n, f32(n, "x", 1, 2, 3, 4), f32(n, "c", 8, 2), f32(n, "s", 8, 2), in(n, "p", ir.Int32, 3), 0)
		},
		good: func(n *Network) {
			rope(n, f32(n, "x", 1, 2, 3, 4), f32(n, "c", 8, 2), f32(n, "s", 8, 2), in(n, "p", ir.Int32, 1, 3), 0)
		},
	},
	"RotaryEmbedding.rotary_dim": {
		bad:  func(n *Network) { rope(n, f32(n, "x", 1, 2, 3, 4), f32(n, "c", 1, 3, 2), f32(n, "s", 1, 3, 2), nil, 3) },
		good: func(n *Network) { rope(n, f32(n, "x", 1, 2, 3, 4), f32(n, "c", 1, 3, 1), f32(n, "s", 1, 3, 1), nil, 2) },
	},
	"RotaryEmbedding.rotary_cache_shape": {
		bad:  func(n *Network) { rope(n, f32(n, "x", 1, 2, 3, 4), f32(n, "c", 1, 3, 4), f32(n, "s", 1, 3, 4), nil, 0) },
		good: func(n *Network) { rope(n, f32(n, "x", 1, 2, 3, 8), f32(n, "c", 1, 3, 4), f32(n, "s", 1, 3, 4), nil, 0) },
	},
	"Cumulative.since": {
		bad: func(n *Network) {
			at(network.Version{Major: 10, Minor: 7})(n)
			n.AddCumulative(f32(n, "x", 2, 3), n.AddConstant(ir.Scalar(ir.Int32, 1)), network.CumulativeSUM, false, false)
		},
		good: func(n *Network) {
			at(network.Version{Major: 10, Minor: 8})(n)
			n.AddCumulative(f32(n, "x", 2, 3), n.AddConstant(ir.Scalar(ir.Int32, 1)), network.CumulativeSUM, false, false)
		},
	},
	"Cumulative.axis.rank": {
		bad: func(n *Network) {
			n.AddCumulative(f32(n, "x", 2, 3), n.AddConstant(ir.FromSlice(ir.Int32, []int64{1}, []int32{1})), network.CumulativeSUM, false, false)
		},
		good: func(n *Network) {
			n.AddCumulative(f32(n, "x", 2, 3), n.AddConstant(ir.Scalar(ir.Int32, 1)), network.CumulativeSUM, false, false)
		},
	},
	"Cumulative.cumulative_axis_const": {
		bad: func(n *Network) {
			n.AddCumulative(f32(n, "x", 2, 3), in(n, "a", ir.Int32), network.CumulativeSUM, false, false)
		},
		good: func(n *Network) {
			n.AddCumulative(f32(n, "x", 2, 3), n.AddConstant(ir.Scalar(ir.Int32, 0)), network.CumulativeSUM, false, false)
		},
	},
	"TopK.topk_k_limit": { // finding 7
		bad:  func(n *Network) { n.AddTopK(f32(n, "x", 2, 4000), network.TopKMAX, 3841, 2) },
		good: func(n *Network) { n.AddTopK(f32(n, "x", 2, 4000), network.TopKMAX, 3840, 2) },
	},
	"TopK.topk_last_four_axes": { // finding 7
		bad:  func(n *Network) { n.AddTopK(f32(n, "x", 3, 2, 2, 2, 2), network.TopKMAX, 1, 1) },
		good: func(n *Network) { n.AddTopK(f32(n, "x", 3, 2, 2, 2, 2), network.TopKMAX, 1, 2) },
	},
	"Resize.output_dims.rank": {
		bad: func(n *Network) {
			n.AddResize(f32(n, "x", 1, 4), network.ResizeParams{OutputDimsT: n.AddConstant(ir.FromSlice(ir.Int64, []int64{1, 2}, []int64{1, 8}))})
		},
		good: func(n *Network) { n.AddResize(f32(n, "x", 1, 4), network.ResizeParams{OutputDimsT: ints64(n, 1, 8)}) },
	},
	"Resize.output_dims.int64_since": {
		bad: func(n *Network) {
			at(network.Version{Major: 10, Minor: 3})(n)
			n.AddResize(f32(n, "x", 1, 4), network.ResizeParams{OutputDimsT: ints64(n, 1, 8)})
		},
		good: func(n *Network) {
			at(network.Version{Major: 10, Minor: 3})(n)
			n.AddResize(f32(n, "x", 1, 4), network.ResizeParams{OutputDimsT: n.AddConstant(ir.FromSlice(ir.Int32, []int64{2}, []int32{1, 8}))})
		},
	},
	"Shuffle.reshape_dims.int64_since": {
		bad: func(n *Network) {
			at(network.Version{Major: 10, Minor: 3})(n)
			n.AddShuffle(f32(n, "x", 2, 3), network.ShuffleParams{ReshapeTensor: ints64(n, 6)})
		},
		good: func(n *Network) {
			at(network.Version{Major: 10, Minor: 4})(n)
			n.AddShuffle(f32(n, "x", 2, 3), network.ShuffleParams{ReshapeTensor: ints64(n, 6)})
		},
	},
	"Slice.start.int64_since": {
		bad: func(n *Network) {
			at(network.Version{Major: 10, Minor: 3})(n)
			n.AddSlice(f32(n, "x", 4), network.SliceParams{StartT: ints64(n, 1), Size: []int64{2}, Stride: []int64{1}})
		},
		good: func(n *Network) {
			at(network.Version{Major: 10, Minor: 3})(n)
			n.AddSlice(f32(n, "x", 4), network.SliceParams{StartT: n.AddConstant(ir.FromSlice(ir.Int32, []int64{1}, []int32{1})), Size: []int64{2}, Stride: []int64{1}})
		},
	},
	"Slice.size.int64_since": {
		bad: func(n *Network) {
			at(network.Version{Major: 10, Minor: 3})(n)
			n.AddSlice(f32(n, "x", 4), network.SliceParams{Start: []int64{1}, SizeT: ints64(n, 2), Stride: []int64{1}})
		},
		good: func(n *Network) {
			at(network.Version{Major: 10, Minor: 4})(n)
			n.AddSlice(f32(n, "x", 4), network.SliceParams{Start: []int64{1}, SizeT: ints64(n, 2), Stride: []int64{1}})
		},
	},
	"Slice.stride.int64_since": {
		bad: func(n *Network) {
			at(network.Version{Major: 10, Minor: 3})(n)
			n.AddSlice(f32(n, "x", 4), network.SliceParams{Start: []int64{1}, Size: []int64{2}, StrideT: ints64(n, 1)})
		},
		good: func(n *Network) {
			n.AddSlice(f32(n, "x", 4), network.SliceParams{Start: []int64{1}, Size: []int64{2}, StrideT: ints64(n, 1)})
		},
	},
	"Resize.resize_dims_by_mode": {
		bad: func(n *Network) {
			n.AddResize(f32(n, "x", 2, 2, 2, 2), network.ResizeParams{Mode: network.InterpolationLINEAR, Scales: []float32{2, 2, 2, 2}})
		},
		good: func(n *Network) {
			n.AddResize(f32(n, "x", 2, 2, 2, 2), network.ResizeParams{Mode: network.InterpolationLINEAR, Scales: []float32{1, 2, 2, 2}})
		},
	},
	"Einsum.einsum_equation": {
		bad:  func(n *Network) { n.AddEinsum([]network.Tensor{f32(n, "a", 2, 3), f32(n, "b", 3, 4)}, "IJ,JK->IK") },
		good: func(n *Network) { n.AddEinsum([]network.Tensor{f32(n, "a", 2, 3), f32(n, "b", 3, 4)}, "ij,jk->ik") },
	},
	"OneHot.values.rank": {
		bad: func(n *Network) {
			n.AddOneHot(in(n, "i", ir.Int32, 3), n.AddConstant(ir.NewTensor(ir.Float32, []int64{1, 2})), n.AddConstant(ir.Scalar(ir.Int32, 4)), -1)
		},
		good: func(n *Network) {
			n.AddOneHot(in(n, "i", ir.Int32, 3), n.AddConstant(ir.NewTensor(ir.Float32, []int64{2})), n.AddConstant(ir.Scalar(ir.Int32, 4)), -1)
		},
	},
	"OneHot.depth.rank": {
		bad: func(n *Network) {
			n.AddOneHot(in(n, "i", ir.Int32, 3), n.AddConstant(ir.NewTensor(ir.Float32, []int64{2})), n.AddConstant(ir.FromSlice(ir.Int32, []int64{1}, []int32{4})), -1)
		},
		good: func(n *Network) {
			n.AddOneHot(in(n, "i", ir.Int32, 3), n.AddConstant(ir.NewTensor(ir.Float32, []int64{2})), n.AddConstant(ir.Scalar(ir.Int32, 4)), -1)
		},
	},
	"OneHot.depth.int64_since": {
		bad: func(n *Network) {
			at(network.Version{Major: 10, Minor: 3})(n)
			n.AddOneHot(in(n, "i", ir.Int32, 3), n.AddConstant(ir.NewTensor(ir.Float32, []int64{2})), n.AddConstant(ir.Scalar(ir.Int64, 4)), -1)
		},
		good: func(n *Network) {
			at(network.Version{Major: 10, Minor: 4})(n)
			n.AddOneHot(in(n, "i", ir.Int32, 3), n.AddConstant(ir.NewTensor(ir.Float32, []int64{2})), n.AddConstant(ir.Scalar(ir.Int64, 4)), -1)
		},
	},
	"OneHot.onehot_values_two": {
		bad: func(n *Network) {
			n.AddOneHot(in(n, "i", ir.Int32, 3), n.AddConstant(ir.NewTensor(ir.Float32, []int64{3})), n.AddConstant(ir.Scalar(ir.Int32, 4)), -1)
		},
		good: func(n *Network) {
			n.AddOneHot(in(n, "i", ir.Int32, 3), n.AddConstant(ir.NewTensor(ir.Float32, []int64{2})), n.AddConstant(ir.Scalar(ir.Int32, 4)), -1)
		},
	},
	"OneHot.onehot_depth_const": {
		bad: func(n *Network) {
			n.AddOneHot(in(n, "i", ir.Int32, 3), n.AddConstant(ir.NewTensor(ir.Float32, []int64{2})), in(n, "d", ir.Int32), -1)
		},
		good: func(n *Network) {
			n.AddOneHot(in(n, "i", ir.Int32, 3), n.AddConstant(ir.NewTensor(ir.Float32, []int64{2})), n.AddConstant(ir.Scalar(ir.Int32, 1)), -1)
		},
	},
	"OneHot.onehot_axis": {
		bad: func(n *Network) {
			n.AddOneHot(in(n, "i", ir.Int32, 3), n.AddConstant(ir.NewTensor(ir.Float32, []int64{2})), n.AddConstant(ir.Scalar(ir.Int32, 4)), 2)
		},
		good: func(n *Network) {
			n.AddOneHot(in(n, "i", ir.Int32, 3), n.AddConstant(ir.NewTensor(ir.Float32, []int64{2})), n.AddConstant(ir.Scalar(ir.Int32, 4)), -2)
		},
	},
	"Scatter.scatter_same_type": {
		bad: func(n *Network) {
			n.AddScatter(f32(n, "x", 3), n.AddConstant(ir.FromSlice(ir.Int64, []int64{1}, []int64{0})), in(n, "u", ir.Float16, 1), network.ScatterELEMENT, 0)
		},
		good: func(n *Network) {
			n.AddScatter(f32(n, "x", 3), n.AddConstant(ir.FromSlice(ir.Int64, []int64{1}, []int64{0})), f32(n, "u", 1), network.ScatterELEMENT, 0)
		},
	},
}

// tableRuleIDs lists the ids of every rule of the table that needs a case
// in ruleCases.
func tableRuleIDs() []string {
	var ids []string
	for k, r := range kindRuleTable {
		if r.Since != (network.Version{Major: 10}) {
			ids = append(ids, string(k)+".since")
		}
		for _, in := range r.Inputs {
			if in.RankSource.Quote != "" {
				ids = append(ids, string(k)+"."+in.Name+".rank")
			}
			if in.Since != (network.Version{}) {
				ids = append(ids, string(k)+"."+in.Name+".since")
			}
			if in.Int64Since != (network.Version{}) {
				ids = append(ids, string(k)+"."+in.Name+".int64_since")
			}
		}
		for _, o := range r.Outputs {
			ids = append(ids, string(k)+"."+o.Name+".dtype")
		}
		for _, c := range r.Rules {
			ids = append(ids, string(k)+"."+c.Check)
		}
	}
	sort.Strings(ids)
	return ids
}

func TestEveryRuleHasACheckAndACase(t *testing.T) {
	for _, k := range network.Kinds {
		r := kindRuleTable[k]
		if r == nil {
			t.Errorf("kind %s has no rule table", k)
			continue
		}
		for _, c := range r.Rules {
			if ruleChecks[c.Check] == nil {
				t.Errorf("rule %s.%s has no check in ruleChecks", k, c.Check)
			}
		}
	}
	ids := tableRuleIDs()
	for _, id := range ids {
		if _, ok := ruleCases[id]; !ok {
			t.Errorf("rule %s has no case in ruleCases", id)
		}
	}
	for id := range ruleCases {
		if !slices.Contains(ids, id) {
			t.Errorf("ruleCases has %s, which the table does not declare", id)
		}
	}
}

// Each rule: the violating network is refused with a RuleError naming the
// rule, its source and the layer; the nearest valid one builds.
func TestRuleCases(t *testing.T) {
	for id, c := range ruleCases {
		n := NewNetwork()
		c.bad(n)
		var le *network.Error
		var re *RuleError
		err := n.Err()
		if !errors.As(err, &le) || !errors.As(err, &re) || re.Rule != id {
			t.Errorf("%s: violating network gave %v, want a layer error for the rule", id, err)
			continue
		}
		kind := id[:strings.IndexByte(id, '.')]
		if !strings.HasPrefix(le.Layer, "["+kind+"]") || re.Source.File == "" || !strings.Contains(err.Error(), strconv.Quote(re.Source.Quote)) {
			t.Errorf("%s: error %q does not name the %s layer and the rule's source", id, err, kind)
		}
		n = NewNetwork()
		c.good(n)
		if err := n.Err(); err != nil {
			t.Errorf("%s: nearest valid network refused: %v", id, err)
		}
	}
}

// TestInputDTypeRules checks every input dtype rule of the table, dtype by
// dtype: with every other input valid, each dtype TensorRT allows passes the
// generic input check and every other one is refused with the rule's id.
func TestInputDTypeRules(t *testing.T) {
	all := []ir.DType{ir.Float32, ir.Float16, ir.BFloat16, ir.Int8, ir.Int32, ir.Int64, ir.Bool, ir.Uint8}
	for _, k := range network.Kinds {
		r := kindRuleTable[k]
		vals := make([]*ir.Value, len(r.Inputs))
		for i, spec := range r.Inputs {
			rank := 2
			if spec.RankSource.Quote != "" {
				rank = spec.MinRank
			}
			vals[i] = &ir.Value{DType: spec.DTypes[0], Shape: ir.S(make([]int64, rank)...)}
		}
		for i, spec := range r.Inputs {
			for _, dt := range all {
				v := *vals[i]
				v.DType = dt
				try := slices.Clone(vals)
				try[i] = &v
				err := (&Network{}).checkInputs(r, try)
				want := slices.Contains(spec.DTypes, dt)
				var re *RuleError
				switch {
				case want && err != nil:
					t.Errorf("%s input %s of %v refused: %v", k, spec.Name, dt, err)
				case !want && (!errors.As(err, &re) || re.Rule != fmt.Sprintf("%s.%s.dtype", k, spec.Name)):
					t.Errorf("%s input %s of %v: got %v, want rule %s.%s.dtype", k, spec.Name, dt, err, k, spec.Name)
				}
			}
		}
	}
}

// The declared optional inputs may be absent; the others may not.
func TestMissingInputs(t *testing.T) {
	for _, k := range network.Kinds {
		r := kindRuleTable[k]
		for i, spec := range r.Inputs {
			vals := make([]*ir.Value, len(r.Inputs))
			for j, s := range r.Inputs {
				rank := 2
				if s.RankSource.Quote != "" {
					rank = s.MinRank
				}
				vals[j] = &ir.Value{DType: s.DTypes[0], Shape: ir.S(make([]int64, rank)...)}
			}
			vals[i] = nil
			err := (&Network{}).checkInputs(r, vals)
			if spec.Optional != (err == nil) {
				t.Errorf("%s without input %s (optional %v): %v", k, spec.Name, spec.Optional, err)
			}
		}
	}
}
