//go:build !tensorrt

package tensorrt

import "github.com/trtc-dev/trtc/pkg/backend"

// MissingHint is what `--backend tensorrt` says in a trtc built without the
// tensorrt tag.
const MissingHint = "this trtc was built without TensorRT; build with `make build-tensorrt TENSORRT_INCLUDE=... TENSORRT_LIB=...` (docs/tensorrt.md)"

func init() { backend.RegisterMissing("tensorrt", MissingHint) }
