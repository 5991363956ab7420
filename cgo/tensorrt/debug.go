//go:build tensorrt

package tensorrt

// #include "shim.h"
import "C"

// debugThrow makes the shim throw a C++ exception of kind what inside its
// guard (tests).
func debugThrow(what int32) error {
	return check(C.trtc_debug_throw(C.int32_t(what)), "debug throw")
}

// nullBuilderCall and nullEngineCall call the shim with null handles
// (tests): it must refuse, not crash.
func nullBuilderCall() error {
	var out C.trtc_out
	return check(C.trtc_add_identity(nil, nil, nil, &out), "identity on a null builder")
}

// nullLayerCalls adds each layer kind that takes a params struct to a
// null builder; every one must be refused.
func nullLayerCalls() map[string]error {
	var out C.trtc_out
	var rp C.trtc_resize_params
	rp.output_dims.nb = -1
	return map[string]error{
		"gather ND": check(C.trtc_add_gather_nd(nil, nil, nil, nil, 0, &out), "gather ND on a null builder"),
		"resize":    check(C.trtc_add_resize(nil, nil, nil, rp, nil, &out), "resize on a null builder"),
		"deconvolution": check(C.trtc_add_deconvolution(nil, nil, nil, C.trtc_conv_params{}, nil, 0, nil, 0, nil, nil, &out),
			"deconvolution on a null builder"),
		"scatter": check(C.trtc_add_scatter(nil, nil, nil, nil, nil, 0, 0, &out), "scatter on a null builder"),
		"einsum":  check(C.trtc_add_einsum(nil, nil, nil, 0, nil, &out), "einsum on a null builder"),
		"one-hot": check(C.trtc_add_onehot(nil, nil, nil, nil, nil, 0, &out), "one-hot on a null builder"),
	}
}

func nullEngineCall() error {
	var n C.int32_t
	return check(C.trtc_engine_nb_io(nil, &n), "listing a null engine")
}
