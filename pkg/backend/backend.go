// Package backend defines what an engine builder provides and keeps the
// table of builders compiled into this trtc: "reference" always, "tensorrt"
// when built with the tensorrt tag.
package backend

import (
	"fmt"
	"sort"
	"sync"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// BuildOptions configure an engine build. Backends ignore what they do not
// support and say so in their docs.
type BuildOptions struct {
	// WorkspaceBytes limits the builder's workspace memory pool; 0 leaves
	// the backend's default.
	WorkspaceBytes int64
	// OptimizationLevel is the builder optimization level (TensorRT: 0..5),
	// used only when OptimizationLevelSet.
	OptimizationLevel    int
	OptimizationLevelSet bool
	// TimingCache is a timing cache file: read before the build if it
	// exists, written after it.
	TimingCache string
	// Profiles are optimization profiles: per input name, min/opt/max dims.
	Profiles []Profile
	// HardwareCompatibility is "", "none", "ampere+" or
	// "same-compute-capability" (TensorRT's HardwareCompatibilityLevel).
	HardwareCompatibility string
	// VersionCompatible builds engines that later TensorRT versions run.
	VersionCompatible bool
	// Precision are the builder's precision settings (trtc compile --fp16
	// ...). They matter only to weakly typed networks (TensorRT 10 without
	// StronglyTyped); a strongly typed network carries its types in its
	// layers (casts and weights that pkg/precision placed).
	Precision PrecisionFlags
}

// PrecisionFlags are IBuilderConfig's precision flags and the network's
// typing.
type PrecisionFlags struct {
	// FP16, BF16, INT8 and FP8 set BuilderFlag kFP16, kBF16, kINT8, kFP8 on
	// weakly typed networks.
	FP16, BF16, INT8, FP8 bool
	// StronglyTyped creates the TensorRT 10 network with
	// NetworkDefinitionCreationFlag::kSTRONGLY_TYPED.
	StronglyTyped bool
	// ObeyConstraints sets BuilderFlag::kOBEY_PRECISION_CONSTRAINTS: layers
	// with a precision set (network.PrecisionSetter) keep it.
	ObeyConstraints bool
}

// Profile is one optimization profile. Min/Opt/Max give each input's dims
// (IOptimizationProfile::setDimensions); MinValues/OptValues/MaxValues give
// the values of inputs that are shape tensors (setShapeValues), which
// TensorRT requires in every profile for such an input and which trtexec
// takes from the same --minShapes/--optShapes/--maxShapes syntax.
type Profile struct {
	Min, Opt, Max                   map[string][]int64
	MinValues, OptValues, MaxValues map[string][]int64
}

// Target describes what an engine was built for; the bundle records it and
// the runtime checks it before loading.
type Target struct {
	Backend           string
	Version           string // backend version (TensorRT version, or trtc's)
	ComputeCapability string // "9.0"; "" for the CPU reference
	HardwareCompat    string
	VersionCompatible bool
	// Profiles are the optimization profiles the engine was built with, by
	// engine input name; nil for static engines and backends without them.
	Profiles []Profile
	// ShapeInputs are the engine inputs that are shape tensors: the runtime
	// binds them from host memory, and every profile gives their values.
	ShapeInputs []string
}

// Backend builds and loads engines.
type Backend interface {
	Name() string
	NewNetwork() network.Network
	// Build serializes the network's engine.
	Build(net network.Network, opts BuildOptions) ([]byte, Target, error)
	// Load deserializes an engine for execution.
	Load(blob []byte) (Engine, error)
}

// TypedNetworker is a backend whose networks can be weakly typed (TensorRT
// 10): the compiler makes each network with NewTypedNetwork when the
// backend has it, so that the builder's precision flags apply.
type TypedNetworker interface {
	NewTypedNetwork(p PrecisionFlags) network.Network
}

// PluginLibraryLoader is a backend that loads TensorRT plugin libraries
// (--trt-plugin-lib) before it builds or loads engines whose plugin layers
// need their creators.
type PluginLibraryLoader interface {
	LoadPluginLibraries(paths []string) error
}

// PluginCreatorLister is a backend that can say which TensorRT plugin
// creators its plugin registry holds (the TensorRT backend:
// IPluginRegistry::getAllCreators), after LoadPluginLibraries.
type PluginCreatorLister interface {
	PluginCreators() ([]network.PluginCreatorInfo, error)
}

// LoadPluginLibraries loads paths into b; a backend that cannot load them
// is an error naming it.
func LoadPluginLibraries(b Backend, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	l, ok := b.(PluginLibraryLoader)
	if !ok {
		return fmt.Errorf("backend %s cannot load TensorRT plugin libraries (--trt-plugin-lib)", b.Name())
	}
	return l.LoadPluginLibraries(paths)
}

// Engine runs one engine segment on host tensors.
type Engine interface {
	// Run binds inputs by tensor name and returns outputs by name.
	Run(inputs map[string]*ir.Tensor) (map[string]*ir.Tensor, error)
	Close() error
}

var (
	mu       sync.RWMutex
	backends = map[string]Backend{}
	missing  = map[string]string{}
)

// Register adds a backend (from an init function).
func Register(b Backend) {
	mu.Lock()
	defer mu.Unlock()
	backends[b.Name()] = b
}

// RegisterMissing records a backend this build lacks and how to get it.
func RegisterMissing(name, hint string) {
	mu.Lock()
	defer mu.Unlock()
	missing[name] = hint
}

// Get returns a backend by name.
func Get(name string) (Backend, error) {
	mu.RLock()
	defer mu.RUnlock()
	if b, ok := backends[name]; ok {
		return b, nil
	}
	if hint, ok := missing[name]; ok {
		return nil, fmt.Errorf("backend %q is not available: %s", name, hint)
	}
	return nil, fmt.Errorf("unknown backend %q (available: %v)", name, Names())
}

// Names lists available backends.
func Names() []string {
	var out []string
	for n := range backends {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// LayerDescriber is implemented by backends that can list the layers of
// one of their engine blobs (`trtc inspect --layers`), each described as
// network.LayerInfo.
type LayerDescriber interface {
	DescribeLayers(blob []byte) ([]network.LayerInfo, error)
}

// DescribeLayers lists the layers of an engine blob that backend name
// built, each with the precision it computes in (network.FillPrecision);
// an error says when the backend is not in this build or cannot describe
// its engines (TensorRT engines are not inspected).
func DescribeLayers(name string, blob []byte) ([]network.LayerInfo, error) {
	be, err := Get(name)
	if err != nil {
		return nil, err
	}
	d, ok := be.(LayerDescriber)
	if !ok {
		return nil, fmt.Errorf("backend %s cannot list the layers of its engines", name)
	}
	layers, err := d.DescribeLayers(blob)
	if err != nil {
		return nil, err
	}
	network.FillPrecision(layers)
	return layers, nil
}
