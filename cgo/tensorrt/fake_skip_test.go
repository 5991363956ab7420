//go:build !fakenvinfer

package tensorrt

import "testing"

// TestFakeLibnvinfer stands for the tests against the recording fake of
// TensorRT (fake_*_test.go: the shim's calls, every testdata model layer by
// layer, the error paths), which need TensorRT's headers and run only in
// make check-tensorrt.
func TestFakeLibnvinfer(t *testing.T) {
	t.Skip("the shim's tests against the recording fake of TensorRT need TensorRT headers: run make check-tensorrt TENSORRT_INCLUDE=DIR (docs/tensorrt.md)")
}
