//go:build tensorrt

package tensorrt

// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/trtc-dev/trtc/pkg/network"
)

// LoadPluginLibraries loads TensorRT plugin libraries into the plugin
// registry (IPluginRegistry::loadLibrary), so that their creators are found
// by plugin layers when networks are built and engines deserialized.
func (Backend) LoadPluginLibraries(paths []string) error {
	for _, p := range paths {
		cp := C.CString(p)
		err := check(C.trtc_load_plugin_library(cp), "loading TensorRT plugin library "+p)
		C.free(unsafe.Pointer(cp))
		if err != nil {
			return fmt.Errorf("--trt-plugin-lib %s: %w", p, err)
		}
	}
	return nil
}

// PluginCreators lists the creators of TensorRT's plugin registry
// (getAllCreators; trtc_plugin_creators), with the fields V3One creators
// declare (getFieldNames).
func (Backend) PluginCreators() ([]network.PluginCreatorInfo, error) {
	var need C.int64_t
	if err := check(C.trtc_plugin_creators(nil, 0, &need), "listing TensorRT plugin creators"); err != nil {
		return nil, err
	}
	for range 3 { // the registry may grow between the calls
		buf := make([]byte, int(need))
		if err := check(C.trtc_plugin_creators((*C.char)(unsafe.Pointer(&buf[0])), C.int64_t(len(buf)), &need), "listing TensorRT plugin creators"); err != nil {
			return nil, err
		}
		if int(need) <= len(buf) {
			return parseCreators(string(buf[:need-1]))
		}
	}
	return nil, fmt.Errorf("listing TensorRT plugin creators: the registry kept changing")
}
