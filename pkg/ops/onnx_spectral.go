package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// STFT (opset 17) and MelWeightMatrix (opset 17): CPU kernels
// (kernels/spectral.go). TensorRT has no Fourier layer.

func init() {
	Register(Op{Key: "onnx.STFT", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 2); err != nil {
			return nil, err
		}
		s := in[0]
		if !s.DType.IsFloat() || s.Shape == nil || s.Shape.Rank() != 3 {
			return nil, fmt.Errorf("signal is %v%v, want a float [batch, length, 1 or 2] tensor", s.DType, s.Shape)
		}
		if c := s.Shape[2]; c.Static() && c.Size != 1 && c.Size != 2 {
			return nil, fmt.Errorf("signal %v: the last dim must be 1 (real) or 2 (complex)", s.Shape)
		}
		if !in[1].DType.IsInt() || in[1].Shape.Rank() != 0 {
			return nil, fmt.Errorf("frame_step is %v%v, want an integer scalar", in[1].DType, in[1].Shape)
		}
		var window *ir.Value
		if len(in) > 2 && in[2] != nil {
			window = in[2]
			if window.Shape.Rank() != 1 || window.DType != s.DType {
				return nil, fmt.Errorf("window is %v%v, want a 1-D %v tensor", window.DType, window.Shape, s.DType)
			}
		}
		frameLen := ir.Sym("")
		if len(in) > 3 && in[3] != nil {
			if !in[3].DType.IsInt() || in[3].Shape.Rank() != 0 {
				return nil, fmt.Errorf("frame_length is %v%v, want an integer scalar", in[3].DType, in[3].Shape)
			}
			if c := in[3].Const; c != nil {
				frameLen = ir.D(c.Int(0))
			}
		} else if window != nil {
			frameLen = window.Shape[0]
		} else {
			return nil, fmt.Errorf("STFT needs a window or a frame_length")
		}
		frames := ir.Sym("")
		if st := in[1].Const; st != nil && frameLen.Static() && s.Shape[1].Static() && st.Int(0) > 0 && frameLen.Size <= s.Shape[1].Size {
			frames = ir.D((s.Shape[1].Size-frameLen.Size)/st.Int(0) + 1)
		}
		bins := frameLen
		if n.AttrInt("onesided", 1) != 0 && frameLen.Static() {
			bins = ir.D(frameLen.Size/2 + 1)
		} else if n.AttrInt("onesided", 1) != 0 {
			bins = ir.Sym("")
		}
		return out1(s.DType, ir.Shape{s.Shape[0], frames, bins, ir.D(2)}), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		var window *ir.Tensor
		if len(in) > 2 {
			window = in[2]
		}
		frameLen := int64(0)
		if len(in) > 3 && in[3] != nil {
			frameLen = in[3].Int(0)
		}
		return t1(kernels.STFT(in[0], in[1].Int(0), window, frameLen, n.AttrInt("onesided", 1) != 0))
	}})
	Register(Op{Key: "onnx.MelWeightMatrix", Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
		if err := needInputs(in, 5); err != nil {
			return nil, err
		}
		for i, name := range []string{"num_mel_bins", "dft_length", "sample_rate"} {
			if !in[i].DType.IsInt() || in[i].Shape.Rank() != 0 {
				return nil, fmt.Errorf("%s is %v%v, want an integer scalar", name, in[i].DType, in[i].Shape)
			}
		}
		for i, name := range []string{"lower_edge_hertz", "upper_edge_hertz"} {
			if v := in[3+i]; !v.DType.IsFloat() || v.Shape.Rank() != 0 {
				return nil, fmt.Errorf("%s is %v%v, want a float scalar", name, v.DType, v.Shape)
			}
		}
		dt := ir.DType(n.AttrInt("output_datatype", int64(ir.Float32)))
		if !dt.Supported() || dt.IsLowBit() {
			return nil, &UnsupportedDTypeError{What: "MelWeightMatrix output_datatype", DType: dt}
		}
		rows, cols := ir.Sym(""), ir.Sym("")
		if c := in[1].Const; c != nil {
			rows = ir.D(c.Int(0)/2 + 1)
		}
		if c := in[0].Const; c != nil {
			cols = ir.D(c.Int(0))
		}
		return out1(dt, ir.Shape{rows, cols}), nil
	}, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		return t1(kernels.MelWeightMatrix(in[0].Int(0), in[1].Int(0), in[2].Int(0), in[3].Float(0), in[4].Float(0),
			ir.DType(n.AttrInt("output_datatype", int64(ir.Float32)))))
	}})
}
