//go:build tensorrt && fakenvinfer

package tensorrt

// The recording fake of TensorRT (testdata/fake, built by make
// check-tensorrt as libnvinfer.so) exports these hooks for tests.

// #include <stdint.h>
// char const* trtc_fake_events(void);
// void trtc_fake_feed_output(int32_t dtype, int32_t nb, int64_t const* d);
// void trtc_fake_feed_clear(void);
import "C"

import (
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// fakeEvents returns what the fake recorded since the last call (one
// event a line) and clears it.
func fakeEvents() []string {
	s := C.GoString(C.trtc_fake_events())
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// fakeFeed sets the dtype and shape of the next output the fake creates
// (dynamic dims -1); fakeFeedClear drops what was not used.
func fakeFeed(dt ir.DType, shape ir.Shape) error {
	trt, err := layerTRT(dt)
	if err != nil {
		return err
	}
	d := make([]C.int64_t, max(len(shape), 1))
	for i, x := range shape {
		d[i] = C.int64_t(x.Size)
		if !x.Static() {
			d[i] = -1
		}
	}
	C.trtc_fake_feed_output(C.int32_t(trt), C.int32_t(len(shape)), &d[0])
	return nil
}

func fakeFeedClear() { C.trtc_fake_feed_clear() }
