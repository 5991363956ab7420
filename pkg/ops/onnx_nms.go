package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/kernels"
)

// NonMaxSuppression (opset 10+): boxes [B, N, 4], scores [B, C, N], and the
// optional scalars max_output_boxes_per_class (int64), iou_threshold and
// score_threshold (float32); attribute center_point_box. Output: the
// selected (batch, class, box) rows, a data-dependent count. Fallback
// kernel only: INMSLayer is a new layer kind that waits for the layer-kind
// table.

func init() {
	Register(Op{Key: "onnx.NonMaxSuppression", Infer: inferNMS, Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
		p := kernels.NMSParams{CenterPointBox: n.AttrInt("center_point_box", 0) != 0}
		if t := optIn(in, 2); t != nil && t.Numel() > 0 {
			p.MaxPerClass = t.Int(0)
		}
		if t := optIn(in, 3); t != nil && t.Numel() > 0 {
			p.IoUThreshold = float32(t.Float(0))
		}
		if t := optIn(in, 4); t != nil && t.Numel() > 0 {
			p.ScoreThreshold, p.HasScoreThresh = float32(t.Float(0)), true
		}
		return t1(kernels.NonMaxSuppression(in[0], in[1], p))
	}})
}

func inferNMS(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
	if err := needInputs(in, 2); err != nil {
		return nil, err
	}
	if c := n.AttrInt("center_point_box", 0); c != 0 && c != 1 {
		return nil, fmt.Errorf("center_point_box is %d, want 0 or 1", c)
	}
	b, s := in[0], in[1]
	if !b.DType.IsFloat() || b.DType != s.DType {
		return nil, fmt.Errorf("boxes are %v and scores %v, want the same float type", b.DType, s.DType)
	}
	if b.Shape != nil && (b.Shape.Rank() != 3 || (b.Shape[2].Static() && b.Shape[2].Size != 4)) {
		return nil, fmt.Errorf("boxes have shape %v, want [batch, boxes, 4]", b.Shape)
	}
	if s.Shape != nil && s.Shape.Rank() != 3 {
		return nil, fmt.Errorf("scores have shape %v, want [batch, classes, boxes]", s.Shape)
	}
	if v := optVal(in, 2); v != nil && v.DType != ir.Int64 {
		return nil, fmt.Errorf("max_output_boxes_per_class is %v, want int64", v.DType)
	}
	for i := 3; i <= 4; i++ {
		if v := optVal(in, i); v != nil && v.DType != ir.Float32 {
			return nil, fmt.Errorf("input %d is %v, want float32", i, v.DType)
		}
	}
	return out1(ir.Int64, ir.Shape{ir.Sym(""), ir.D(3)}), nil
}
