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
// and so on for every setting a layer has.
type LayerInfo struct {
	Name    string         `json:"name"`
	Type    string         `json:"type"`
	Inputs  []TensorInfo   `json:"inputs"`
	Outputs []TensorInfo   `json:"outputs"`
	Params  map[string]any `json:"params"`
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
