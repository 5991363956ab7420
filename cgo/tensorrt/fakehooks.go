//go:build tensorrt && fakenvinfer

package tensorrt

// The recording fake of TensorRT (testdata/fake, built by make
// check-tensorrt as libnvinfer.so) exports these hooks for tests.

// #include <stdint.h>
// char const* trtc_fake_events(void);
// void trtc_fake_feed_output(int32_t dtype, int32_t nb, int64_t const* d);
// void trtc_fake_feed_clear(void);
// void trtc_fake_register_creator(char const* name, char const* version, char const* ns, char const* fields);
// #include <stdlib.h>
import "C"

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/trtc-dev/trtc/pkg/network"

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

// fakeRegisterCreator adds an IPluginCreatorV3One with these fields to the
// fake's plugin registry.
func fakeRegisterCreator(name, version, ns string, fields []network.PluginFieldInfo) {
	var spec []string
	for _, f := range fields {
		spec = append(spec, fmt.Sprintf("%s:%d", f.Name, int32(f.Type)))
	}
	cs := []*C.char{C.CString(name), C.CString(version), C.CString(ns), C.CString(strings.Join(spec, ","))}
	defer func() {
		for _, c := range cs {
			C.free(unsafe.Pointer(c))
		}
	}()
	C.trtc_fake_register_creator(cs[0], cs[1], cs[2], cs[3])
}
