//go:build tensorrt

package tensorrt

// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"fmt"
	"unsafe"
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
