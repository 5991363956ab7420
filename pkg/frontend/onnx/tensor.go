package onnx

import (
	"errors"
	"fmt"
	"github.com/trtc-dev/trtc/internal/safefile"
	"io"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/trtc-dev/trtc/pkg/ir"
	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

// ReadTensorFile reads a serialized TensorProto (the .pb files of ONNX test
// data) and returns the tensor and its name. External data is resolved
// relative to the file's folder. A file holding a SequenceProto, MapProto or
// OptionalProto instead is refused with an error that says so.
func ReadTensorFile(path string) (*ir.Tensor, string, error) {
	data, err := safefile.ReadFile(path, MaxProtoBytes)
	if err != nil {
		return nil, "", err
	}
	t, name, err := ParseTensorFile(data, filepath.Dir(path))
	if err != nil {
		return nil, name, fmt.Errorf("%s: %w", path, err)
	}
	return t, name, nil
}

// ParseTensorFile is ReadTensorFile on bytes already read; dir is the folder
// external data is resolved against ("" refuses external data).
func ParseTensorFile(data []byte, dir string) (*ir.Tensor, string, error) {
	var tp onnxpb.TensorProto
	if err := proto.Unmarshal(data, &tp); err != nil {
		if kind := containerKind(data); kind != "" {
			return nil, "", containerError(kind)
		}
		return nil, "", fmt.Errorf("not an ONNX TensorProto file (truncated or another format): %v", err)
	}
	clean := len(tp.ProtoReflect().GetUnknown()) == 0 && tp.Segment == nil && tp.DataType != nil
	t, err := ParseTensor(&tp, dir)
	if err == nil && clean {
		return t, tp.GetName(), nil
	}
	// Test data stores sequences and optionals in the same kind of file; on
	// the wire they can read as a damaged TensorProto.
	if kind := containerKind(data); kind != "" {
		return nil, "", containerError(kind)
	}
	if err == nil {
		err = errors.New("not an ONNX TensorProto file: it has fields a TensorProto does not")
	}
	return nil, tp.GetName(), err
}

func containerError(kind string) error {
	return fmt.Errorf("holds an ONNX %s, not a TensorProto; trtc reads tensors only", kind)
}

// containerKind tells whether data parses cleanly as one of the ONNX
// container messages that test data uses in place of a tensor, and describes
// it, or returns "". A SequenceProto of one element and an OptionalProto are
// the same bytes, so both are named then.
func containerKind(data []byte) string {
	var seq onnxpb.SequenceProto
	if proto.Unmarshal(data, &seq) == nil && unknownFree(seq.ProtoReflect()) && seq.ElemType != nil {
		counts := []int{0, len(seq.TensorValues), len(seq.SparseTensorValues), len(seq.SequenceValues), len(seq.MapValues), len(seq.OptionalValues)}
		e := int(seq.GetElemType())
		total := 0
		for _, c := range counts {
			total += c
		}
		if e >= 1 && e <= 5 && counts[e] == total {
			kind := onnxpb.SequenceProto_DataType(e).String()
			if total == 1 {
				return fmt.Sprintf("SequenceProto or OptionalProto %q (of kind %s)", seq.GetName(), kind)
			}
			return fmt.Sprintf("SequenceProto %q (%d element(s) of kind %s)", seq.GetName(), total, kind)
		}
	}
	var opt onnxpb.OptionalProto
	if proto.Unmarshal(data, &opt) == nil && unknownFree(opt.ProtoReflect()) && opt.ElemType != nil && opt.GetElemType() >= 0 && opt.GetElemType() <= 5 {
		if opt.TensorValue == nil && opt.SequenceValue == nil && opt.MapValue == nil && opt.OptionalValue == nil && opt.SparseTensorValue == nil {
			return fmt.Sprintf("OptionalProto %q (empty)", opt.GetName())
		}
		return fmt.Sprintf("OptionalProto %q (of kind %s)", opt.GetName(), onnxpb.OptionalProto_DataType(opt.GetElemType()))
	}
	var m onnxpb.MapProto
	if proto.Unmarshal(data, &m) == nil && unknownFree(m.ProtoReflect()) && m.KeyType != nil && m.Values != nil {
		return fmt.Sprintf("MapProto %q", m.GetName())
	}
	return ""
}

// unknownFree reports that no message in m holds fields the schema does not
// know.
func unknownFree(m protoreflect.Message) bool {
	if len(m.GetUnknown()) > 0 {
		return false
	}
	ok := true
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() == nil || fd.IsMap() {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len() && ok; i++ {
				ok = unknownFree(l.Get(i).Message())
			}
		} else {
			ok = unknownFree(v.Message())
		}
		return ok
	})
	return ok
}

// ParseTensor converts a TensorProto to an ir.Tensor. dir is the folder that
// external data locations are relative to; "" refuses external data. Errors
// name the tensor.
func ParseTensor(tp *onnxpb.TensorProto, dir string) (*ir.Tensor, error) {
	t, err := parseTensor(tp, dir)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", tp.GetName(), err)
	}
	return t, nil
}

func parseTensor(tp *onnxpb.TensorProto, dir string) (*ir.Tensor, error) {
	dt := ir.DType(tp.GetDataType())
	if err := checkTensorDType(dt); err != nil {
		return nil, err
	}
	if tp.Segment != nil {
		return nil, errors.New("segmented tensors are not supported")
	}
	shape := append([]int64{}, tp.GetDims()...)
	numel := int64(1)
	for _, d := range shape {
		if d < 0 {
			return nil, fmt.Errorf("negative dim in shape %v", shape)
		}
		hi, lo := bits.Mul64(uint64(numel), uint64(d))
		if hi != 0 || lo > math.MaxInt64/8 {
			return nil, fmt.Errorf("shape %v is too large", shape)
		}
		numel = int64(lo)
	}
	nbytes := dt.WireBytes(numel) // int4, uint4, float4e2m1, int2, uint2 are packed

	if tp.GetDataLocation() == onnxpb.TensorProto_EXTERNAL {
		data, err := readExternal(tp, dir, nbytes)
		if err != nil {
			return nil, err
		}
		return wrapWire(dt, shape, numel, data)
	}
	if tp.RawData != nil {
		if int64(len(tp.RawData)) != nbytes {
			return nil, fmt.Errorf("raw_data has %d bytes, %v%v needs %d", len(tp.RawData), dt, shape, nbytes)
		}
		t, err := wrapWire(dt, shape, numel, tp.RawData)
		if err != nil {
			return nil, err
		}
		if dt == ir.Bool {
			normalizeBool(t.Data)
		}
		return t, nil
	}
	return typedData(tp, dt, shape, numel)
}

// wrapWire makes a tensor from raw_data bytes, unpacking the packed low-bit
// types into trtc's one-byte-per-element form.
func wrapWire(dt ir.DType, shape []int64, numel int64, data []byte) (*ir.Tensor, error) {
	if dt.WireBits() < 8 {
		u, ok := ir.UnpackLowBit(dt, data, numel)
		if !ok {
			return nil, fmt.Errorf("%v%v needs %d packed bytes, have %d", dt, shape, dt.WireBytes(numel), len(data))
		}
		data = u
	}
	return ir.WrapBytes(dt, shape, data)
}

func checkTensorDType(dt ir.DType) error {
	switch {
	case dt == ir.String:
		return errors.New("string tensors are not supported (trtc holds numeric tensors only)")
	case dt == ir.Undefined:
		return errors.New("data_type is missing or UNDEFINED")
	case !dt.Supported():
		name := onnxpb.TensorProto_DataType(dt).String()
		return fmt.Errorf("data type %s is not supported by trtc", name)
	}
	return nil
}

func normalizeBool(b []byte) {
	for i, v := range b {
		if v != 0 {
			b[i] = 1
		}
	}
}

// typedData reads the *_data field that the ONNX spec assigns to dt.
func typedData(tp *onnxpb.TensorProto, dt ir.DType, shape []int64, numel int64) (*ir.Tensor, error) {
	var field string
	var count int
	switch dt {
	case ir.Float32:
		field, count = "float_data", len(tp.FloatData)
	case ir.Float64:
		field, count = "double_data", len(tp.DoubleData)
	case ir.Int64:
		field, count = "int64_data", len(tp.Int64Data)
	case ir.Uint32, ir.Uint64:
		field, count = "uint64_data", len(tp.Uint64Data)
	default: // int32, int16, int8, uint16, uint8, bool, float16, bfloat16, and the low-bit types
		field, count = "int32_data", len(tp.Int32Data)
	}
	if dt.IsLowBit() { // one bit pattern per entry; 4- and 2-bit types one packed byte per entry
		return lowBitInt32Data(tp.Int32Data, dt, shape, numel)
	}
	if int64(count) != numel {
		if count == 0 && numel > 0 {
			if other := otherDataField(tp, field); other != "" {
				return nil, fmt.Errorf("has %s, but ONNX stores %v elements in %s", other, dt, field)
			}
			return nil, fmt.Errorf("has no data (%v%v needs %d elements)", dt, shape, numel)
		}
		return nil, fmt.Errorf("%s has %d elements, shape %v needs %d", field, count, shape, numel)
	}
	t, err := ir.NewTensorChecked("", dt, shape)
	if err != nil {
		return nil, err
	}
	switch dt {
	case ir.Float32:
		copy(ir.View[float32](t), tp.FloatData)
	case ir.Float64:
		copy(ir.View[float64](t), tp.DoubleData)
	case ir.Int64:
		copy(ir.View[int64](t), tp.Int64Data)
	case ir.Uint64:
		copy(ir.View[uint64](t), tp.Uint64Data)
	case ir.Uint32:
		v := ir.View[uint32](t)
		for i, x := range tp.Uint64Data {
			v[i] = uint32(x)
		}
	case ir.Int32:
		copy(ir.View[int32](t), tp.Int32Data)
	case ir.Int16:
		v := ir.View[int16](t)
		for i, x := range tp.Int32Data {
			v[i] = int16(x)
		}
	case ir.Uint16, ir.Float16, ir.BFloat16:
		v := ir.View[uint16](t)
		for i, x := range tp.Int32Data {
			v[i] = uint16(x)
		}
	case ir.Int8:
		v := ir.View[int8](t)
		for i, x := range tp.Int32Data {
			v[i] = int8(x)
		}
	case ir.Uint8:
		v := ir.View[uint8](t)
		for i, x := range tp.Int32Data {
			v[i] = uint8(x)
		}
	case ir.Bool:
		v := ir.View[uint8](t)
		for i, x := range tp.Int32Data {
			if x != 0 {
				v[i] = 1
			}
		}
	}
	return t, nil
}

func lowBitInt32Data(data []int32, dt ir.DType, shape []int64, numel int64) (*ir.Tensor, error) {
	want := dt.WireBytes(numel)
	if int64(len(data)) != want {
		return nil, fmt.Errorf("int32_data has %d entries, %v%v needs %d", len(data), dt, shape, want)
	}
	b := make([]byte, len(data))
	for i, x := range data {
		b[i] = byte(x)
	}
	return wrapWire(dt, shape, numel, b)
}

func otherDataField(tp *onnxpb.TensorProto, except string) string {
	for _, f := range []struct {
		name string
		n    int
	}{
		{"float_data", len(tp.FloatData)}, {"double_data", len(tp.DoubleData)},
		{"int32_data", len(tp.Int32Data)}, {"int64_data", len(tp.Int64Data)},
		{"uint64_data", len(tp.Uint64Data)}, {"string_data", len(tp.StringData)},
	} {
		if f.n > 0 && f.name != except {
			return f.name
		}
	}
	return ""
}

// readExternal reads a tensor's bytes from the file its external_data names,
// refusing any location outside dir.
func readExternal(tp *onnxpb.TensorProto, dir string, nbytes int64) ([]byte, error) {
	var location string
	offset, length := int64(0), int64(-1)
	for _, kv := range tp.ExternalData {
		var err error
		switch kv.GetKey() {
		case "location":
			location = kv.GetValue()
		case "offset":
			offset, err = strconv.ParseInt(kv.GetValue(), 10, 64)
		case "length":
			length, err = strconv.ParseInt(kv.GetValue(), 10, 64)
			if err == nil && length < 0 {
				err = errors.New("negative")
			}
		}
		if err != nil || offset < 0 {
			return nil, fmt.Errorf("external data %s %q is not a non-negative integer", kv.GetKey(), kv.GetValue())
		}
	}
	if location == "" {
		return nil, errors.New("external data has no location")
	}
	path, err := resolveExternal(dir, location)
	if err != nil {
		return nil, err
	}
	// Opened without blocking and checked before reading: a FIFO or a
	// device named as external data is refused, never waited on.
	f, st, err := safefile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("external data file %q: %w", location, err)
	}
	defer f.Close()
	if length < 0 {
		length = st.Size() - offset
	}
	if length != nbytes {
		return nil, fmt.Errorf("external data in %q has length %d, tensor needs %d bytes", location, length, nbytes)
	}
	if offset > st.Size() || st.Size()-offset < length {
		return nil, fmt.Errorf("external data file %q is too short: %d bytes at offset %d wanted, file has %d", location, length, offset, st.Size())
	}
	t, err := ir.NewTensorChecked(fmt.Sprintf("external data of tensor %q", tp.GetName()), ir.Uint8, []int64{length})
	if err != nil {
		return nil, err
	}
	buf := t.Data
	if _, err := f.ReadAt(buf, offset); err != nil && !(err == io.EOF && length == 0) {
		return nil, fmt.Errorf("external data file %q: short read: %w", location, err)
	}
	return buf, nil
}

// resolveExternal turns an external data location into a path inside dir,
// or refuses it.
func resolveExternal(dir, location string) (string, error) {
	if dir == "" {
		return "", fmt.Errorf("external data %q: no model folder to resolve it against", location)
	}
	if filepath.IsAbs(location) || strings.HasPrefix(location, "/") || strings.HasPrefix(location, `\`) || filepath.VolumeName(location) != "" {
		return "", fmt.Errorf("external data location %q is an absolute path; ONNX requires a path relative to the model's folder", location)
	}
	clean := filepath.Clean(filepath.FromSlash(location))
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("external data location %q leaves the model's folder", location)
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("model folder %q: %w", dir, err)
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return "", err
	}
	full := filepath.Join(root, clean)
	real, err := filepath.EvalSymlinks(full)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("external data file %q does not exist in %s", location, root)
		}
		return "", fmt.Errorf("external data file %q: %w", location, err)
	}
	rel, err := filepath.Rel(root, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", fmt.Errorf("external data location %q resolves to %s, outside the model's folder %s", location, real, root)
	}
	return real, nil
}
