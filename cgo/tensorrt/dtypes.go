package tensorrt

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// TensorRT's nvinfer1::DataType values (NvInferRuntimeBase.h, 10.x and
// 11.x; enumcheck.h asserts them against the headers).
const (
	dtFLOAT int32 = 0
	dtHALF  int32 = 1
	dtINT8  int32 = 2
	dtINT32 int32 = 3
	dtBOOL  int32 = 4
	dtUINT8 int32 = 5
	dtFP8   int32 = 6
	dtBF16  int32 = 7
	dtINT64 int32 = 8
)

// DataTypes maps trtc dtypes to TensorRT's; dtypes missing here (float64,
// int16, uint16, uint32, uint64, string) have no TensorRT equivalent.
var DataTypes = map[ir.DType]int32{
	ir.Float32: dtFLOAT, ir.Float16: dtHALF, ir.Int8: dtINT8, ir.Int32: dtINT32,
	ir.Bool: dtBOOL, ir.Uint8: dtUINT8, ir.BFloat16: dtBF16, ir.Int64: dtINT64,
}

// DataTypeNames are the enumerator names of DataTypes' values, for
// enumcheck.h.
var DataTypeNames = map[int32]string{
	dtFLOAT: "kFLOAT", dtHALF: "kHALF", dtINT8: "kINT8", dtINT32: "kINT32", dtBOOL: "kBOOL",
	dtUINT8: "kUINT8", dtFP8: "kFP8", dtBF16: "kBF16", dtINT64: "kINT64",
	dtINT4: "kINT4", // kFP4 (10) is not in the 10.0-10.7 headers: the shim checks it by number
}

// toTRT maps a dtype, or says why TensorRT cannot hold it.
func toTRT(dt ir.DType) (int32, error) {
	if v, ok := DataTypes[dt]; ok {
		return v, nil
	}
	return 0, fmt.Errorf("TensorRT has no %v tensors; cast to a type it has (float32, float16, bfloat16, int8, uint8, int32, int64, bool) before the engine", dt)
}

// TensorRT's quantized storage types (NvInferRuntimeBase.h): kFP8 is
// float8 e4m3, kINT4 signed 4-bit, kFP4 float4 e2m1 (10.8 on). They exist
// only inside a network, around quantize and dequantize layers and as
// constant weights: never as an engine input or output here.
const (
	dtINT4 int32 = 9
	dtFP4  int32 = 10
)

// QuantDataTypes maps the low-bit dtypes TensorRT's Q/DQ layers hold.
var QuantDataTypes = map[ir.DType]int32{ir.Float8E4M3FN: dtFP8, ir.Int4: dtINT4, ir.Float4E2M1: dtFP4}

// layerTRT maps a dtype a layer may produce or take: DataTypes and
// QuantDataTypes.
func layerTRT(dt ir.DType) (int32, error) {
	if v, ok := QuantDataTypes[dt]; ok {
		return v, nil
	}
	return toTRT(dt)
}

// fromTRT maps TensorRT's DataType back; types trtc does not hold (E8M0)
// are ir.Undefined.
func fromTRT(v int32) ir.DType {
	for _, m := range []map[ir.DType]int32{DataTypes, QuantDataTypes} {
		for dt, t := range m {
			if t == v {
				return dt
			}
		}
	}
	return ir.Undefined
}

// HardwareCompat is one --hardware-compatibility setting.
type HardwareCompat struct {
	Flag  string // the flag's word
	Level int32  // nvinfer1::HardwareCompatibilityLevel
	Name  string // the bundle's name (BuildTarget.hardware_compatibility)
	Since string // the first TensorRT release that has it
}

// HardwareCompats lists the settings; "" means none.
var HardwareCompats = []HardwareCompat{
	{"none", 0, "NONE", "10.0"},
	{"ampere+", 1, "AMPERE_PLUS", "10.0"},
	{"same-compute-capability", 2, "SAME_COMPUTE_CAPABILITY", "10.9"},
}

// hardwareCompat looks up a flag word.
func hardwareCompat(flag string) (HardwareCompat, error) {
	if flag == "" {
		return HardwareCompats[0], nil
	}
	for _, h := range HardwareCompats {
		if h.Flag == flag {
			return h, nil
		}
	}
	return HardwareCompat{}, fmt.Errorf("hardware compatibility %q: want none, ampere+ or same-compute-capability", flag)
}

// versionString formats getInferLibVersion's major*10000+minor*100+patch.
func versionString(v int32) string {
	return fmt.Sprintf("%d.%d.%d", v/10000, v/100%100, v%100)
}
