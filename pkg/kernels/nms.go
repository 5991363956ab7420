package kernels

import (
	"fmt"
	"math"
	"sort"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// NMSParams are NonMaxSuppression's scalar inputs and attribute.
type NMSParams struct {
	MaxPerClass    int64   // 0 selects nothing
	IoUThreshold   float32 // a box is dropped when its IoU with a kept one is above this
	ScoreThreshold float32 // boxes scoring at or below it are not candidates
	HasScoreThresh bool
	CenterPointBox bool // boxes are [xc, yc, w, h] instead of two corners
}

// NonMaxSuppression selects boxes [B, N, 4] by scores [B, C, N] per batch
// and class, greedily by descending score (ties by lower index), dropping
// boxes whose IoU with a selected one exceeds the threshold, as ONNX and
// ONNX Runtime do. It returns [selected, 3] int64 rows (batch, class, box)
// in batch, class, selection order.
func NonMaxSuppression(boxes, scores *ir.Tensor, p NMSParams) (*ir.Tensor, error) {
	if len(boxes.Shape) != 3 || boxes.Shape[2] != 4 {
		return nil, fmt.Errorf("boxes have shape %v, want [batch, boxes, 4]", boxes.Shape)
	}
	if len(scores.Shape) != 3 || scores.Shape[0] != boxes.Shape[0] || scores.Shape[2] != boxes.Shape[1] {
		return nil, fmt.Errorf("scores have shape %v, want [%d, classes, %d]", scores.Shape, boxes.Shape[0], boxes.Shape[1])
	}
	nb, nc, n := int(boxes.Shape[0]), int(scores.Shape[1]), int(boxes.Shape[1])
	bx, sc := ir.View[float32](ToFloat32(boxes)), ir.View[float32](ToFloat32(scores))
	var rows []int64
	corners := func(b, i int) (y1, x1, y2, x2 float32) {
		v := bx[(b*n+i)*4 : (b*n+i)*4+4]
		if p.CenterPointBox {
			xc, yc, w, h := v[0], v[1], v[2], v[3]
			return yc - h/2, xc - w/2, yc + h/2, xc + w/2
		}
		return min(v[0], v[2]), min(v[1], v[3]), max(v[0], v[2]), max(v[1], v[3])
	}
	iou := func(b, i, j int) float32 {
		ay1, ax1, ay2, ax2 := corners(b, i)
		by1, bx1, by2, bx2 := corners(b, j)
		ia := (ay2 - ay1) * (ax2 - ax1)
		ib := (by2 - by1) * (bx2 - bx1)
		if ia <= 0 || ib <= 0 {
			return 0
		}
		ih := max(0, min(ay2, by2)-max(ay1, by1))
		iw := max(0, min(ax2, bx2)-max(ax1, bx1))
		inter := ih * iw
		return inter / (ia + ib - inter)
	}
	if p.MaxPerClass <= 0 {
		return ir.NewTensor(ir.Int64, []int64{0, 3}), nil
	}
	for b := 0; b < nb; b++ {
		for c := 0; c < nc; c++ {
			s := sc[(b*nc+c)*n : (b*nc+c+1)*n]
			var cand []int
			for i, v := range s {
				if !p.HasScoreThresh || v > p.ScoreThreshold {
					if !math.IsNaN(float64(v)) {
						cand = append(cand, i)
					}
				}
			}
			sort.SliceStable(cand, func(x, y int) bool { return s[cand[x]] > s[cand[y]] })
			var kept []int
			for _, i := range cand {
				if int64(len(kept)) >= p.MaxPerClass {
					break
				}
				ok := true
				for _, k := range kept {
					if iou(b, i, k) > p.IoUThreshold {
						ok = false
						break
					}
				}
				if ok {
					kept = append(kept, i)
					rows = append(rows, int64(b), int64(c), int64(i))
				}
			}
		}
	}
	return ir.FromSlice(ir.Int64, []int64{int64(len(rows) / 3), 3}, rows), nil
}
