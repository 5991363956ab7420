package conversion

import (
	"path"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
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
	// TargetVersion is the TensorRT release the engines are built for
	// (`trtc compile --trt-version`; with the TensorRT backend, the loaded
	// library's). Converters choose a fused layer or its decomposition by
	// it (Supports), and the reference backend applies the rule table of
	// that release. The zero Version means network.NewestVersion.
	TargetVersion network.Version
}

// Target is the TensorRT release converters build for: TargetVersion, or
// network.NewestVersion when it is unset.
func (s *Settings) Target() network.Version {
	if s == nil || s.TargetVersion == (network.Version{}) {
		return network.NewestVersion
	}
	return s.TargetVersion
}

// Supports reports whether the target release has layer kind k, so that a
// converter uses a fused layer (Cumulative, Attention, RotaryEmbedding)
// where the release has it and its decomposition where it does not.
func (s *Settings) Supports(k network.LayerKind) bool {
	return !s.Target().Less(k.Since())
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
