package precision_test

import (
	"github.com/trtc-dev/trtc/pkg/frontend"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func compilerLoad(path string) (*ir.Graph, error) { return frontend.Load(path, "") }
