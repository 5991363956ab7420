package tensorrt

import "github.com/trtc-dev/trtc/pkg/ir"

// inputSpec is an engine input as the network declared it. Build resolves
// the user's profiles for these inputs with backend.ResolveProfiles, which
// the reference backend uses too.
type inputSpec struct {
	Name  string
	DType ir.DType
	Shape ir.Shape
}

func dynamic(s ir.Shape) bool {
	for _, d := range s {
		if !d.Static() {
			return true
		}
	}
	return false
}
