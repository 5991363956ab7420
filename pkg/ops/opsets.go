package ops

import "strings"

// KnownOpsets is, per ONNX domain ("" is ai.onnx), the newest opset whose
// op semantics trtc implements: a model importing a newer one may rely on
// a change trtc has not seen, so the compiler refuses it (exit 4) naming
// the op, the domain and the opset rather than guessing. Domains not
// listed are unknown: their ops are refused likewise unless an op of that
// domain is registered (a plugin's, or a built-in contrib op).
var KnownOpsets = map[string]int64{
	"":                         28,
	"ai.onnx.ml":               5,
	"ai.onnx.preview":          1,
	"ai.onnx.preview.training": 1,
	"com.microsoft":            1,
}

// Domain is the ONNX domain of an op key ("" for "onnx.Add",
// "com.microsoft" for "com.microsoft.FastGelu"); ATen keys have none.
func Domain(key string) string {
	if strings.HasPrefix(key, "onnx.") || strings.HasPrefix(key, "aten.") {
		return ""
	}
	if i := strings.LastIndexByte(key, '.'); i > 0 {
		return key[:i]
	}
	return ""
}

// DomainName is a domain as users write it ("ai.onnx" for "").
func DomainName(d string) string {
	if d == "" {
		return "ai.onnx"
	}
	return d
}

// KnownDomain reports whether trtc knows a domain: listed in KnownOpsets,
// or the domain of a registered op.
func KnownDomain(d string) bool {
	if _, ok := KnownOpsets[d]; ok {
		return true
	}
	mu.RLock()
	defer mu.RUnlock()
	for k := range table {
		if Domain(k) == d {
			return true
		}
	}
	return false
}
