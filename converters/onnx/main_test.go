package onnx_test

import (
	"os"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
)

// TestMain fails the package when a built-in ONNX converter has no
// numerical test: every converter must run in some convtest case.
func TestMain(m *testing.M) { os.Exit(convtest.CheckAllTested(m, "onnx.")) }
