// Package tensorrt is trtc's TensorRT backend: network.Network over
// TensorRT's INetworkDefinition through a C shim (shim.h, shim.cpp), engine
// builds with IBuilder::buildSerializedNetwork, and engine runs with
// IExecutionContext::enqueueV3 on device memory from a Device (cgo/cuda).
//
// The cgo parts build only with the tensorrt build tag, against TensorRT
// 10.x or 11.x headers and libnvinfer (make build-tensorrt; see
// docs/tensorrt.md). Without the tag the package registers "tensorrt" as a
// missing backend whose error says how to get it.
//
// What is checked where no TensorRT exists (all machines trtc is developed
// on): the shim compiles with -Wall -Wextra -Werror against NVIDIA's
// published headers of several 10.x and 11.x releases, its enum values are
// asserted at compile time to equal pkg/network's, and the package's tests
// run under AddressSanitizer against a recording fake of TensorRT's
// implementation classes (testdata/fake, its boilerplate generated from the
// headers by internal/genfake): every testdata model is built through the
// shim and the fake's record compared layer by layer with the reference
// side, and the shim's calls (logger, timing cache, profiles, shape values,
// host code, version checks) and error paths are tested. The pure-Go parts
// (dtype mapping, profile resolution and selection, the engine runner over
// a fake device, the runner's CUDA-event clock for trtc bench over a fake
// device that records the event calls) are unit-tested. No real engine has been built or run by
// this code: that needs a machine with TensorRT and a GPU.
//
// Invariants: C keeps no Go pointer (host buffers are passed for the
// duration of one call; weights are copied into builder-owned memory); every
// shim call returns a status, and TensorRT's logged errors are part of it;
// a Network's errors are sticky, as in package network.
package tensorrt
