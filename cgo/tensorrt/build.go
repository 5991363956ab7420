//go:build tensorrt

package tensorrt

// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"errors"
	"fmt"
	"io/fs"
	"unsafe"

	"github.com/trtc-dev/trtc/internal/atomicfile"
	"github.com/trtc-dev/trtc/internal/safefile"
	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/network"
)

func init() { backend.Register(Backend{}) }

// Backend is the "tensorrt" backend.
type Backend struct{}

func (Backend) Name() string                { return "tensorrt" }
func (Backend) NewNetwork() network.Network { return NewNetwork() }

// NewTypedNetwork is backend.TypedNetworker: a weakly typed TensorRT 10
// network when p asks for one.
func (Backend) NewTypedNetwork(p backend.PrecisionFlags) network.Network {
	return NewTypedNetwork(p.StronglyTyped)
}

// Build builds a serialized engine (IBuilder::buildSerializedNetwork) with
// opts: workspace pool limit, builder optimization level, timing cache file
// (read if present, written after), one optimization profile per opts
// profile, hardware compatibility level and the version-compatible flag.
// The network's builder is released afterwards.
func (Backend) Build(net network.Network, opts backend.BuildOptions) ([]byte, backend.Target, error) {
	n, ok := net.(*Network)
	if !ok {
		return nil, backend.Target{}, fmt.Errorf("tensorrt: network is not a TensorRT network (%T)", net)
	}
	if n.err != nil {
		return nil, backend.Target{}, n.err
	}
	defer n.release()
	hw, err := hardwareCompat(opts.HardwareCompatibility)
	if err != nil {
		return nil, backend.Target{}, err
	}
	// The engine's profiles: dims for dynamic inputs, values for the inputs
	// TensorRT uses as shape tensors (ITensor::isShapeTensor, now that the
	// network is complete), int64 where headers and library take them.
	linked, compiled, err := libVersion()
	if err != nil {
		return nil, backend.Target{}, err
	}
	ins := make([]backend.ProfileInput, len(n.inputs))
	for i, in := range n.inputs {
		var is C.int32_t
		if err := check(C.trtc_is_shape_tensor(n.b, n.inputHandles[i], &is), "asking whether input "+in.Name+" is a shape tensor"); err != nil {
			return nil, backend.Target{}, err
		}
		ins[i] = backend.ProfileInput{Name: in.Name, DType: in.DType, Shape: in.Shape, ShapeTensor: is != 0}
	}
	v2 := min(linked, compiled)/100 >= 1011
	profiles, err := backend.ResolveProfiles(ins, opts.Profiles, backend.ResolveOptions{RequireDynamic: true, Int64Values: v2})
	if err != nil {
		return nil, backend.Target{}, err
	}
	for _, p := range profiles {
		var idx C.int32_t
		if err := check(C.trtc_profile_new(n.b, &idx), "creating an optimization profile"); err != nil {
			return nil, backend.Target{}, err
		}
		for _, in := range n.inputs {
			mn, ok := p.Min[in.Name]
			if !ok {
				continue
			}
			cname := C.CString(in.Name)
			err := check(C.trtc_profile_set(n.b, idx, cname, cdims(mn), cdims(p.Opt[in.Name]), cdims(p.Max[in.Name])),
				fmt.Sprintf("setting profile %d for input %s", int(idx), in.Name))
			C.free(unsafe.Pointer(cname))
			if err != nil {
				return nil, backend.Target{}, err
			}
		}
		for _, in := range n.inputs {
			vmin, ok := p.MinValues[in.Name]
			if !ok {
				continue
			}
			if err := setProfileValues(n.b, idx, in.Name, vmin, p.OptValues[in.Name], p.MaxValues[in.Name]); err != nil {
				return nil, backend.Target{}, err
			}
		}
	}
	var cache []byte
	if opts.TimingCache != "" {
		// safefile: a FIFO or device named as the cache is refused, not
		// waited on or read without end.
		cache, err = safefile.ReadFile(opts.TimingCache, 0)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, backend.Target{}, fmt.Errorf("timing cache: %w", err)
		}
	}
	cfg := C.trtc_build_config{
		workspace_bytes: C.int64_t(opts.WorkspaceBytes), optimization_level: -1,
		hardware_compat: C.int32_t(hw.Level), version_compatible: cbool(opts.VersionCompatible),
		fp16: cbool(opts.Precision.FP16), bf16: cbool(opts.Precision.BF16), int8: cbool(opts.Precision.INT8),
		fp8: cbool(opts.Precision.FP8), obey_precision_constraints: cbool(opts.Precision.ObeyConstraints),
	}
	if opts.OptimizationLevelSet {
		cfg.optimization_level = C.int32_t(opts.OptimizationLevel)
	}
	var plan, cacheOut *C.trtc_blob
	cp, cn := bytesPtr(cache)
	if err := check(C.trtc_build(n.b, cfg, cp, cn, &plan, &cacheOut), "building the engine"); err != nil {
		return nil, backend.Target{}, err
	}
	blob, err := takeBlob(plan)
	if err != nil {
		C.trtc_blob_destroy(cacheOut)
		return nil, backend.Target{}, err
	}
	if cacheOut != nil {
		data, err := takeBlob(cacheOut)
		if err == nil && opts.TimingCache != "" {
			err = atomicfile.WriteFile(opts.TimingCache, data, 0o644)
		}
		if err != nil {
			return nil, backend.Target{}, fmt.Errorf("timing cache: %w", err)
		}
	}
	t := backend.Target{Backend: "tensorrt", Version: versionString(linked), HardwareCompat: hw.Name,
		VersionCompatible: opts.VersionCompatible, Profiles: profiles}
	// The GPU the engine was tuned for, where the CUDA layer can say.
	if dev, err := currentDevice(); err == nil {
		if cc, err := dev.ComputeCapability(); err == nil {
			t.ComputeCapability = cc
		}
	}
	return blob, t, nil
}

// setProfileValues gives a shape-tensor input's values in profile idx
// (IOptimizationProfile::setShapeValues); backend.ResolveProfiles checked
// that the three have one length.
func setProfileValues(b *C.trtc_builder, idx C.int32_t, name string, mn, op, mx []int64) error {
	what := fmt.Sprintf("setting the shape values of input %s in profile %d", name, int(idx))
	if len(op) != len(mn) || len(mx) != len(mn) {
		return fmt.Errorf("%s: %d, %d and %d values", what, len(mn), len(op), len(mx))
	}
	if len(mn) == 0 {
		return fmt.Errorf("%s: no values", what)
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	// One Go array of plain integers, read by the shim during the call only.
	n := len(mn)
	buf := make([]C.int64_t, 3*n)
	for i := 0; i < n; i++ {
		buf[i], buf[n+i], buf[2*n+i] = C.int64_t(mn[i]), C.int64_t(op[i]), C.int64_t(mx[i])
	}
	return check(C.trtc_profile_set_values(b, idx, cname, C.int32_t(n), &buf[0], &buf[n], &buf[2*n]), what)
}

// takeBlob copies a shim blob into Go memory and destroys it.
func takeBlob(b *C.trtc_blob) ([]byte, error) {
	defer C.trtc_blob_destroy(b)
	var data unsafe.Pointer
	var size C.int64_t
	if err := check(C.trtc_blob_data(b, &data, &size), "reading a serialized blob"); err != nil {
		return nil, err
	}
	return C.GoBytes(data, C.int(size)), nil
}

// Load deserializes an engine and makes its execution context. Running it
// needs a Device (SetDevice). It does not allow engine host code, so a
// version-compatible engine needs LoadTarget.
func (b Backend) Load(blob []byte) (backend.Engine, error) {
	return b.LoadTarget(blob, backend.Target{})
}

// LoadTarget is Load for an engine built for target t: a version-compatible
// engine (t.VersionCompatible) carries TensorRT's lean runtime as host code,
// which IRuntime deserializes only after setEngineHostCodeAllowed(true).
func (Backend) LoadTarget(blob []byte, t backend.Target) (backend.Engine, error) {
	dev, err := currentDevice()
	if err != nil {
		return nil, err
	}
	api, err := newEngine(blob, t.VersionCompatible)
	if err != nil {
		return nil, err
	}
	return &runner{api: api, dev: dev}, nil
}

// RuntimeVersion is the linked libnvinfer's version (getInferLibVersion),
// as "10.8.0": pkg/runtime compares it with the version a bundle's engine
// was built with before it deserializes the engine.
func (Backend) RuntimeVersion() (string, error) {
	linked, _, err := libVersion()
	if err != nil {
		return "", err
	}
	return versionString(linked), nil
}

var (
	_ backend.VersionReporter = Backend{}
	_ backend.TargetLoader    = Backend{}
)
