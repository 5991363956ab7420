package onnx

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/trtc-dev/trtc/pkg/ir"
	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

// MarshalTensor serializes t as an ONNX TensorProto named name, its data in
// raw_data (little-endian; int4, uint4, float4e2m1 packed two and int2,
// uint2 four to a byte, first element in the low bits, as ONNX stores
// them). ParseTensorFile reads it back unchanged.
func MarshalTensor(name string, t *ir.Tensor) ([]byte, error) {
	if err := checkTensorDType(t.DType); err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	if want := t.Numel() * int64(t.DType.Size()); int64(len(t.Data)) != want {
		return nil, fmt.Errorf("tensor %q: %v has %d bytes, needs %d", name, t, len(t.Data), want)
	}
	dt := int32(t.DType)
	tp := &onnxpb.TensorProto{
		Name:     &name,
		DataType: &dt,
		Dims:     append([]int64{}, t.Shape...),
		RawData:  ir.PackLowBit(t.DType, t.Data),
	}
	if tp.RawData == nil {
		tp.RawData = []byte{}
	}
	return proto.Marshal(tp)
}
