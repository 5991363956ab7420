package tensorio

import (
	"fmt"
	"path/filepath"

	"github.com/trtc-dev/trtc/internal/atomicfile"
	"github.com/trtc-dev/trtc/pkg/frontend/onnx"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// OutputFormat says how `trtc run` writes output tensors.
type OutputFormat string

const (
	// FormatAuto writes .npy where NumPy has the dtype and an ONNX
	// TensorProto .pb otherwise (bfloat16, the float8 types, float4e2m1,
	// int4, uint4, int2, uint2).
	FormatAuto OutputFormat = "auto"
	// FormatNPY writes .npy only and fails for dtypes NumPy lacks.
	FormatNPY OutputFormat = "npy"
	// FormatPB writes every output as an ONNX TensorProto .pb.
	FormatPB OutputFormat = "pb"
	// FormatNPYF32 writes .npy, widening the dtypes NumPy lacks to float32
	// (exactly: every value of those types is a float32 value).
	FormatNPYF32 OutputFormat = "npy-f32"
)

// ParseOutputFormat checks a --output-format value.
func ParseOutputFormat(s string) (OutputFormat, error) {
	switch f := OutputFormat(s); f {
	case FormatAuto, FormatNPY, FormatPB, FormatNPYF32:
		return f, nil
	}
	return "", fmt.Errorf("output format %q is not one of auto, npy, pb, npy-f32", s)
}

// NPYHas reports whether .npy has a dtype for dt.
func NPYHas(dt ir.DType) bool { _, err := npyDescr(dt); return err == nil }

// AsFloat32 returns t widened to float32 when .npy has no type for its
// dtype, and t itself otherwise.
func AsFloat32(t *ir.Tensor) *ir.Tensor {
	if NPYHas(t.DType) {
		return t
	}
	out := ir.NewTensor(ir.Float32, t.Shape)
	o := ir.View[float32](out)
	for i := range o {
		o[i] = float32(t.Float(i))
	}
	return out
}

// WriteTensorProto writes t to path as a serialized ONNX TensorProto.
func WriteTensorProto(path, name string, t *ir.Tensor) error {
	data, err := onnx.MarshalTensor(name, t)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteFile(path, data, 0o644)
}

// WriteOutput writes output name into dir as base+".npy" or base+".pb" by
// format, and returns the path written.
func WriteOutput(dir, base, name string, t *ir.Tensor, format OutputFormat) (string, error) {
	pb := format == FormatPB || (format == FormatAuto && !NPYHas(t.DType))
	if pb {
		path := filepath.Join(dir, base+".pb")
		return path, WriteTensorProto(path, name, t)
	}
	if format == FormatNPYF32 {
		t = AsFloat32(t)
	}
	path := filepath.Join(dir, base+".npy")
	if !NPYHas(t.DType) {
		return path, fmt.Errorf("%s: .npy has no %v type; use --output-format pb, auto or npy-f32", path, t.DType)
	}
	return path, WriteNPY(path, t)
}
