package reference

import (
	"math"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

func f32c(n *Network, dims []int64, v ...float32) network.Tensor {
	return n.AddConstant(ir.FromSlice(ir.Float32, dims, v))
}

func qp(to ir.DType) network.QuantizeParams { return network.QuantizeParams{Axis: -1, ToType: to} }

// int8 weights [2, 3] as a constant.
func w8(n *Network) network.Tensor {
	return n.AddConstant(ir.FromSlice(ir.Int8, []int64{2, 3}, []int8{1, -2, 3, 4, 5, -6}))
}

func init() {
	one := func(n *Network) network.Tensor { return f32c(n, nil, 0.5) }
	ruleCases["Quantize.output.dtype"] = ruleCase{
		bad:  func(n *Network) { n.AddQuantize(f32(n, "x", 2), one(n), nil, qp(ir.Uint8)) },
		good: func(n *Network) { n.AddQuantize(f32(n, "x", 2), one(n), nil, qp(ir.Int8)) },
	}
	ruleCases["Dequantize.output.dtype"] = ruleCase{
		bad:  func(n *Network) { n.AddDequantize(in(n, "x", ir.Int8, 2), one(n), nil, qp(ir.Int32)) },
		good: func(n *Network) { n.AddDequantize(in(n, "x", ir.Int8, 2), one(n), nil, qp(ir.Float16)) },
	}
	for _, k := range []string{"Quantize", "Dequantize"} {
		// add builds a Q layer from float32 data or a DQ layer from int8
		// data of the same shape (weights when konst).
		add := func(n *Network, konst bool, dims []int64, scale, zp network.Tensor, p network.QuantizeParams, target ...network.Version) {
			setTarget := func() {
				if len(target) > 0 {
					n.SetTargetVersion(target[0])
				}
			}
			if k == "Quantize" {
				setTarget()
				var x network.Tensor
				if konst {
					x = n.AddConstant(ir.NewTensor(ir.Float32, dims))
				} else {
					x = f32(n, "x", dims...)
				}
				if p.ToType == ir.Undefined {
					p.ToType = ir.Int8
				}
				n.AddQuantize(x, scale, zp, p)
				return
			}
			q := p.ToType
			if q == ir.Undefined {
				q = ir.Int8
			}
			var x network.Tensor
			if konst {
				x = n.AddConstant(ir.NewTensor(ir.Float32, dims))
			} else {
				x = f32(n, "x", dims...)
			}
			x = n.AddQuantize(x, f32c(n, nil, 1), nil, qp(q)) // a tensor of the quantized type
			p.ToType = ir.Float32
			setTarget()
			n.AddDequantize(x, scale, zp, p)
		}
		// The Q layer made for the DQ case's input is per tensor and
		// keeps every rule, so the rule under test is the DQ's.
		ruleCases[k+".quant_scale_shape"] = ruleCase{
			bad: func(n *Network) {
				add(n, true, []int64{2, 3}, f32c(n, []int64{3}, 1, 2, 3), nil, network.QuantizeParams{Axis: 0})
			},
			good: func(n *Network) {
				add(n, true, []int64{2, 3}, f32c(n, []int64{2}, 1, 2), nil, network.QuantizeParams{Axis: 0})
			},
		}
		ruleCases[k+".quant_scale_const"] = ruleCase{
			bad: func(n *Network) {
				add(n, false, []int64{2, 3}, f32(n, "s", 1), nil, network.QuantizeParams{Axis: -1}, network.Version{Major: 10, Minor: 12})
			},
			good: func(n *Network) {
				add(n, false, []int64{2, 3}, f32(n, "s", 1), nil, network.QuantizeParams{Axis: -1}, network.Version{Major: 10, Minor: 13})
			},
		}
		ruleCases[k+".quant_zero_point"] = ruleCase{
			bad: func(n *Network) {
				add(n, false, []int64{2, 3}, one(n), n.AddConstant(ir.FromSlice(ir.Int8, nil, []int8{3})), network.QuantizeParams{Axis: -1})
			},
			good: func(n *Network) {
				add(n, false, []int64{2, 3}, one(n), n.AddConstant(ir.FromSlice(ir.Int8, nil, []int8{0})), network.QuantizeParams{Axis: -1})
			},
		}
		ruleCases[k+".quant_per_channel_weights"] = ruleCase{
			bad: func(n *Network) {
				add(n, false, []int64{2, 3}, f32c(n, []int64{2}, 1, 2), nil, network.QuantizeParams{Axis: 0})
			},
			good: func(n *Network) {
				add(n, true, []int64{2, 3}, f32c(n, []int64{2}, 1, 2), nil, network.QuantizeParams{Axis: 0})
			},
		}
		ruleCases[k+".quant_block"] = ruleCase{
			bad: func(n *Network) { // int8 is not blocked
				add(n, true, []int64{4, 3}, n.AddConstant(ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 1, 1, 1, 1, 1})), nil,
					network.QuantizeParams{Axis: 0, BlockShape: []int64{2, 1}, ToType: ir.Int8})
			},
			good: func(n *Network) {
				add(n, true, []int64{4, 3}, n.AddConstant(ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 1, 1, 1, 1, 1})), nil,
					network.QuantizeParams{Axis: 0, BlockShape: []int64{2, 1}, ToType: ir.Int4})
			},
		}
		ruleCases[k+".quant_fp4_since"] = ruleCase{
			bad: func(n *Network) {
				add(n, false, []int64{2, 3}, one(n), nil, network.QuantizeParams{Axis: -1, ToType: ir.Float4E2M1}, network.Version{Major: 10, Minor: 7})
			},
			good: func(n *Network) {
				add(n, false, []int64{2, 3}, one(n), nil, network.QuantizeParams{Axis: -1, ToType: ir.Float4E2M1}, network.Version{Major: 10, Minor: 8})
			},
		}
		ruleCases[k+".quant_not_scalar"] = ruleCase{
			bad: func(n *Network) {
				if k == "Quantize" {
					n.AddQuantize(f32(n, "x"), one(n), nil, qp(ir.Int8))
					return
				}
				n.AddDequantize(n.AddConstant(ir.FromSlice(ir.Int8, nil, []int8{3})), one(n), nil, qp(ir.Float32))
			},
			good: func(n *Network) { add(n, false, []int64{1}, one(n), nil, network.QuantizeParams{Axis: -1}) },
		}
	}
}

// run1 builds a network with one output and runs it on the given inputs.
func run1(t *testing.T, build func(n *Network) network.Tensor, inputs map[string]*ir.Tensor) *ir.Tensor {
	t.Helper()
	return runNet(t, inputs, func(n *Network) []network.Tensor { return []network.Tensor{build(n)} })[0]
}

// The Q layer rounds half to even and saturates; the DQ layer multiplies
// in float32: exact values, worked out by hand.
func TestQuantizeLayerValues(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{8}, []float32{0.25, 0.75, -0.25, -0.75, 100, -100, 1.26, float32(math.Inf(1))})
	cases := []struct {
		to   ir.DType
		want []float64 // dequantized with scale 0.5
	}{
		// x/0.5 = 0.5, 1.5, -0.5, -1.5, 200, -200, 2.52, +Inf: ties to
		// even (0, 2, -0, -2), clamped at 127/-128 (int4: 7/-8).
		{ir.Int8, []float64{0, 1, -0, -1, 63.5, -64, 1.5, 63.5}},
		{ir.Int4, []float64{0, 1, 0, -1, 3.5, -4, 1.5, 3.5}},
		// e4m3fn (steps of 16 in [128, 256), 0.25 in [2, 4)): 200 is
		// halfway between 192 (1.100b) and 208 (1.101b): the even one;
		// 2.52 gives 2.5; +Inf saturates to 448.
		{ir.Float8E4M3FN, []float64{0.25, 0.75, -0.25, -0.75, 96, -96, 1.25, 224}},
		// e2m1 ({0, 0.5, 1, 1.5, 2, 3, 4, 6}): 200 and +Inf saturate at
		// 6; 2.52 is nearer 3 than 2.
		{ir.Float4E2M1, []float64{0.25, 0.75, -0.25, -0.75, 3, -3, 1.5, 3}},
	}
	for _, c := range cases {
		got := run1(t, func(n *Network) network.Tensor {
			q := n.AddQuantize(f32(n, "x", 8), f32c(n, nil, 0.5), nil, qp(c.to))
			return n.AddDequantize(q, f32c(n, nil, 0.5), nil, qp(ir.Float32))
		}, map[string]*ir.Tensor{"x": x})
		for i, w := range c.want {
			if g := got.Float(i); g != w {
				t.Errorf("%v: element %d (x=%g) dequantizes to %g, want %g", c.to, i, x.Float(i), g, w)
			}
		}
	}
}

// Per-channel weights (DQ of an int8 constant along axis 0) and blocked
// int4 (blocks of 2 along axis 0).
func TestDequantizeLayerAxes(t *testing.T) {
	got := run1(t, func(n *Network) network.Tensor {
		return n.AddDequantize(w8(n), f32c(n, []int64{2}, 0.5, 2), nil, network.QuantizeParams{Axis: 0, ToType: ir.Float32})
	}, nil)
	for i, w := range []float64{0.5, -1, 1.5, 8, 10, -12} {
		if got.Float(i) != w {
			t.Errorf("per-channel element %d = %g, want %g", i, got.Float(i), w)
		}
	}
	w4 := ir.FromSlice(ir.Float32, []int64{4, 2}, []float32{1, 2, 3, 4, -5, -6, 7, -8})
	got = run1(t, func(n *Network) network.Tensor {
		q := n.AddQuantize(n.AddConstant(w4), f32c(n, nil, 1), nil, qp(ir.Int4))
		return n.AddDequantize(q, f32c(n, []int64{2, 2}, 1, 2, 10, 100), nil,
			network.QuantizeParams{Axis: 0, BlockShape: []int64{2, 1}, ToType: ir.Float32})
	}, nil)
	for i, w := range []float64{1, 4, 3, 8, -50, -600, 70, -800} {
		if got.Float(i) != w {
			t.Errorf("blocked element %d = %g, want %g", i, got.Float(i), w)
		}
	}
}

func init() {
	conv := func(n *Network, kernel network.Tensor) {
		n.AddConvolutionNd(f32(n, "x", 1, 2, 3, 3), network.ConvolutionParams{NbOutputMaps: 1, KernelSize: []int64{1, 1}, KernelT: kernel})
	}
	ruleCases["Convolution.conv_kernel_const"] = ruleCase{
		bad: func(n *Network) { conv(n, f32(n, "w", 1, 2, 1, 1)) },
		good: func(n *Network) { // int8 weights through a dequantize layer
			w := n.AddConstant(ir.FromSlice(ir.Int8, []int64{1, 2, 1, 1}, []int8{3, -4}))
			conv(n, n.AddDequantize(w, f32c(n, nil, 0.5), nil, qp(ir.Float32)))
		},
	}
}

// A convolution whose kernel is a dequantize layer's output computes with
// the dequantized values: (3*0.5)*x0 + (-4*0.5)*x1.
func TestConvolutionKernelTensor(t *testing.T) {
	x := ir.FromSlice(ir.Float32, []int64{1, 2, 1, 2}, []float32{1, 2, 10, 20})
	got := run1(t, func(n *Network) network.Tensor {
		w := n.AddConstant(ir.FromSlice(ir.Int8, []int64{1, 2, 1, 1}, []int8{3, -4}))
		k := n.AddDequantize(w, f32c(n, nil, 0.5), nil, qp(ir.Float32))
		return n.AddConvolutionNd(f32(n, "x", 1, 2, 1, 2), network.ConvolutionParams{NbOutputMaps: 1, KernelSize: []int64{1, 1}, KernelT: k})
	}, map[string]*ir.Tensor{"x": x})
	wantFloats(t, got, []int64{1, 1, 1, 2}, []float64{1.5 - 20, 3 - 40})
}
