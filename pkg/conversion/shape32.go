package conversion

import (
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// int64ShapeTensors is the first release whose headers document Int64 for
// the shape-tensor inputs of Shuffle (reshape dims), Slice (start, size,
// stride), Resize (output dims) and OneHot (depth); the 10.0-10.3 headers
// say Int32 (pkg/network/kinddef, Int64Since).
var int64ShapeTensors = network.Version{Major: 10, Minor: 4}

// shape32 is a network that casts Int64 tensors given to those inputs to
// Int32, for targets before 10.4: IShapeLayer gives Int64 in every 10.x
// release, so converters compute shapes in Int64, and one Cast before the
// consumer meets the older rule (the values are dims, far inside int32).
type shape32 struct{ network.Network }

func (n shape32) i32(t network.Tensor) network.Tensor {
	if t != nil && t.DType() == ir.Int64 {
		return n.Network.AddCast(t, ir.Int32)
	}
	return t
}

func (n shape32) AddShuffle(x network.Tensor, p network.ShuffleParams) network.Tensor {
	p.ReshapeTensor = n.i32(p.ReshapeTensor)
	return n.Network.AddShuffle(x, p)
}

func (n shape32) AddSlice(x network.Tensor, p network.SliceParams) network.Tensor {
	p.StartT, p.SizeT, p.StrideT = n.i32(p.StartT), n.i32(p.SizeT), n.i32(p.StrideT)
	return n.Network.AddSlice(x, p)
}

func (n shape32) AddResize(x network.Tensor, p network.ResizeParams) network.Tensor {
	p.OutputDimsT = n.i32(p.OutputDimsT)
	return n.Network.AddResize(x, p)
}

func (n shape32) AddOneHot(indices, values, depth network.Tensor, axis int) network.Tensor {
	return n.Network.AddOneHot(indices, values, n.i32(depth), axis)
}

// forTarget wraps net for the settings' target release.
func forTarget(net network.Network, s *Settings) network.Network {
	if s.Target().Less(int64ShapeTensors) {
		return shape32{net}
	}
	return net
}
