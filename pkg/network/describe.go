package network

// LayerInfo describes one layer of a built network the way `trtc inspect
// --layers -o json` prints it and the way the recording fake of TensorRT
// (cgo/tensorrt, make check-tensorrt) records the layer calls the shim makes,
// so that the two can be compared field by field.
//
// Type is TensorRT's LayerType enumerator without its "k" (CONVOLUTION,
// ELEMENTWISE, ...). Params holds the layer's settings under TensorRT's
// names in snake case: "operation" for ELEMENTWISE/UNARY/REDUCE/ACTIVATION/
// POOLING (the enumerator without "k", e.g. "NEG", "SUM"), "axes" (TensorRT's
// bit mask) for REDUCE/TOPK/SOFTMAX/NORMALIZATION, "k" for TOPK, "mode" for
// RESIZE/SLICE/GATHER/SCATTER/FILL, "dtype" for CONSTANT and CAST outputs,
// and every other setting the TensorRT backend makes under its setter's
// name in snake case ("stride_nd", "nb_groups", "keep_dimensions"; the full
// rule is docs/tensorrt.md's "The record's parameter names"). Dtypes are
// trtc's names ("float32"). The reference backend's describer and the
// recording fake of TensorRT write the same form; make check-tensorrt
// compares them.
type LayerInfo struct {
	Name    string         `json:"name"`
	Type    string         `json:"type"`
	Inputs  []TensorInfo   `json:"inputs"`
	Outputs []TensorInfo   `json:"outputs"`
	Params  map[string]any `json:"params"`
	// Precision is the type the layer computes in (LayerPrecision, filled
	// by FillPrecision: `trtc inspect --layers`, the compile report):
	// "fp32", "fp16", "bf16", "int8", "fp8", or the dtype of a layer that
	// computes on no float (int32, int64, bool).
	Precision string `json:"precision,omitempty"`
}

// computeTypes are the LayerTypes that do arithmetic; the others move,
// select or relabel data (CAST, SHUFFLE, GATHER, CONSTANT, ...).
var computeTypes = map[string]bool{
	"ACTIVATION": true, "CONVOLUTION": true, "DECONVOLUTION": true, "ELEMENTWISE": true, "MATRIX_MULTIPLY": true,
	"NORMALIZATION": true, "POOLING": true, "REDUCE": true, "SOFTMAX": true, "UNARY": true, "EINSUM": true,
	"CUMULATIVE": true, "RESIZE": true, "QUANTIZE": true, "DEQUANTIZE": true,
}

// IsCompute says whether a layer of this LayerType does arithmetic.
func IsCompute(layerType string) bool { return computeTypes[layerType] }

// shortTypes are the compute-type names of float and quantized dtypes.
var shortTypes = map[string]string{
	"float32": "fp32", "float16": "fp16", "bfloat16": "bf16", "int8": "int8",
	"float8e4m3fn": "fp8", "float8e5m2": "fp8", "int4": "int4", "float4e2m1": "fp4",
}

// LayerPrecision is the type a layer computes in, as a strongly typed
// network fixes it: a CAST's or QUANTIZE's output type; otherwise the type
// of its first float or quantized input (a comparison computes in its
// inputs' type and writes bool), else of its first output.
func LayerPrecision(l LayerInfo) string {
	pick := func(ts []TensorInfo) string {
		for _, t := range ts {
			if s, ok := shortTypes[t.DType]; ok {
				return s
			}
		}
		return ""
	}
	if l.Type == "CAST" || l.Type == "QUANTIZE" || l.Type == "CONSTANT" {
		if p := pick(l.Outputs); p != "" {
			return p
		}
	}
	if p := pick(l.Inputs); p != "" {
		return p
	}
	if p := pick(l.Outputs); p != "" {
		return p
	}
	if len(l.Outputs) > 0 {
		return l.Outputs[0].DType
	}
	return ""
}

// FillPrecision sets each layer's Precision.
func FillPrecision(layers []LayerInfo) {
	for i := range layers {
		layers[i].Precision = LayerPrecision(layers[i])
	}
}

// TensorInfo describes one tensor of a LayerInfo. Shape has -1 for a
// dynamic dim; ShapeTensor says whether TensorRT treats the tensor as a
// shape tensor (its values, not only its dims, are needed at build time).
type TensorInfo struct {
	Name        string  `json:"name"`
	DType       string  `json:"dtype"`
	Shape       []int64 `json:"shape"`
	ShapeTensor bool    `json:"shape_tensor"`
}

// LayerType is TensorRT's LayerType enumerator for k, without its "k"
// (CONVOLUTION, ...), or "" for a kind that is not a TensorRT layer (Input).
func (k LayerKind) LayerType() string { return layerTypes[k] }
