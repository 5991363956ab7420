package conversion

import (
	"path"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Settings steer capability, partitioning and builds.
type Settings struct {
	// MinBlockSize is the fewest compute ops an engine segment may hold;
	// smaller ones run as fallback (but one holding a node whose converter
	// has Region set). Default 5, as in Torch-TensorRT.
	MinBlockSize int
	// FallbackOps are op keys that always fall back. "Relu" means
	// "onnx.Relu"; ATen keys are given whole ("aten.relu.default").
	FallbackOps []string
	// RequireFullCompilation makes any fallback node an error.
	RequireFullCompilation bool
	// InputShapes override graph input shapes by name.
	InputShapes map[string]ir.Shape
	// Backend builds the engines: "reference" or "tensorrt".
	Backend string
}

// DefaultSettings are trtc's defaults.
func DefaultSettings() *Settings {
	return &Settings{MinBlockSize: 5, Backend: "reference"}
}

// NormalizeOpKey turns a user's op name into a registry key: a bare ONNX op
// type ("Relu") gets the "onnx." prefix.
func NormalizeOpKey(op string) string {
	op = strings.TrimSpace(op)
	if op != "" && !strings.Contains(op, ".") {
		return "onnx." + op
	}
	return op
}

// IsForcedFallback reports whether op is in the forced-fallback list.
// Entries may be globs: "Reduce*" (onnx.Reduce*), "aten.*".
func (s *Settings) IsForcedFallback(op string) bool {
	for _, f := range s.FallbackOps {
		key := NormalizeOpKey(f)
		if key == op {
			return true
		}
		if ok, err := path.Match(key, op); err == nil && ok {
			return true
		}
	}
	return false
}
