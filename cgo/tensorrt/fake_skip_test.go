//go:build !fakenvinfer

package tensorrt

import "testing"

// TestFakeLibnvinfer stands for the fake-libnvinfer tests (fake_test.go),
// which need TensorRT's headers and run only in make check-tensorrt.
func TestFakeLibnvinfer(t *testing.T) {
	t.Skip("shim error-path tests against a fake libnvinfer need TensorRT headers: run make check-tensorrt TENSORRT_INCLUDE=DIR (docs/tensorrt.md)")
}
