package reference

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// planMagic starts every reference engine blob; planVersion changes whenever
// the encoding or a layer's semantics change.
const (
	planMagic   = "TRTCREF1"
	planVersion = 4
)

// plan is the serialized form of a network.
type plan struct {
	Version int
	Tensors []planTensor
	Layers  []*layer
	Inputs  []int
	Outputs []int
	OutName []string
	// Regions are the network's loops and conditionals (layers_loop.go).
	Regions []planRegion
	// Profiles are the optimization profiles the engine was built with
	// (profiles.go); empty when none was given.
	Profiles []backend.Profile
}

type planTensor struct {
	Name  string
	DType ir.DType
	Shape ir.Shape
	// ShapeTensor marks a shape tensor (shapetensor.go).
	ShapeTensor bool
}

func init() {
	registerParams()
	backend.Register(Backend{})
}

// Backend is the reference backend.
type Backend struct{}

func (Backend) Name() string                             { return "reference" }
func (Backend) NewNetwork() network.Network              { return NewNetwork() }
func (Backend) Load(blob []byte) (backend.Engine, error) { return Load(blob) }

// Build checks the network (shape-tensor rules, profiles) and serializes
// it with its profiles. Build options that tune TensorRT's kernel selection
// do not apply to the CPU executor (IgnoredOptions lists them).
func (Backend) Build(net network.Network, opts backend.BuildOptions) ([]byte, backend.Target, error) {
	n, ok := net.(*Network)
	if !ok {
		return nil, backend.Target{}, fmt.Errorf("reference backend cannot build a %T", net)
	}
	blob, p, err := n.build(opts.Profiles)
	t := backend.Target{Backend: "reference", Version: fmt.Sprint(planVersion)}
	if p != nil {
		t.Profiles = p.Profiles
		t.ShapeInputs = p.shapeInputs()
	}
	return blob, t, err
}

// Serialize encodes the network as an engine blob built without
// optimization profiles.
func (n *Network) Serialize() ([]byte, error) {
	blob, _, err := n.build(nil)
	return blob, err
}

// SerializeWith encodes the network as an engine blob built with
// optimization profiles.
func (n *Network) SerializeWith(profiles []backend.Profile) ([]byte, error) {
	blob, _, err := n.build(profiles)
	return blob, err
}

func (n *Network) build(profiles []backend.Profile) ([]byte, *plan, error) {
	if n.err != nil {
		return nil, nil, n.err
	}
	if len(n.outputs) == 0 {
		return nil, nil, errors.New("network has no outputs")
	}
	if err := n.checkRegions(); err != nil {
		return nil, nil, err
	}
	marks, err := n.checkShapeTensors()
	if err != nil {
		return nil, nil, err
	}
	p := plan{Version: planVersion, Layers: n.layers, Inputs: n.inputs, Outputs: n.outputs, OutName: n.outName, Regions: n.regions}
	for i, t := range n.tensors {
		p.Tensors = append(p.Tensors, planTensor{t.val.Name, t.val.DType, t.val.Shape, marks[i]})
	}
	if p.Profiles, err = n.resolveProfiles(marks, profiles); err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(planMagic) + 256*len(n.layers) + weightBytes(n.layers))
	buf.WriteString(planMagic)
	if err := gob.NewEncoder(&buf).Encode(&p); err != nil {
		return nil, nil, fmt.Errorf("encoding reference plan: %w", err)
	}
	return buf.Bytes(), &p, nil
}

// weightBytes sums the constant weights, to size the encoding buffer once.
func weightBytes(layers []*layer) int {
	total := 0
	for _, l := range layers {
		if c, ok := l.Params.(constantParams); ok && c.Weights != nil {
			total += len(c.Weights.Data)
		}
	}
	return total
}

// Load decodes and checks an engine blob.
func Load(blob []byte) (*Engine, error) {
	if len(blob) < len(planMagic) || string(blob[:len(planMagic)]) != planMagic {
		return nil, errors.New("not a reference engine (bad magic)")
	}
	var p plan
	if err := gob.NewDecoder(bytes.NewReader(blob[len(planMagic):])).Decode(&p); err != nil {
		return nil, fmt.Errorf("decoding reference engine: %w", err)
	}
	if p.Version != planVersion {
		return nil, fmt.Errorf("reference engine version %d, this trtc reads version %d", p.Version, planVersion)
	}
	nt := len(p.Tensors)
	check := func(ids []int, optional bool) error {
		for _, id := range ids {
			if (id < 0 && !optional) || id >= nt {
				return fmt.Errorf("tensor id %d out of range", id)
			}
		}
		return nil
	}
	if err := check(p.Inputs, false); err != nil {
		return nil, err
	}
	if err := check(p.Outputs, false); err != nil {
		return nil, err
	}
	if len(p.OutName) != len(p.Outputs) {
		return nil, errors.New("reference engine: output names do not match outputs")
	}
	for _, l := range p.Layers {
		if kinds[l.Kind] == nil {
			return nil, fmt.Errorf("reference engine: layer %s has unknown kind %q", l.Name, l.Kind)
		}
		if err := check(l.In, true); err != nil {
			return nil, fmt.Errorf("layer %s: %w", l.Name, err)
		}
		if err := check(l.Out, false); err != nil {
			return nil, fmt.Errorf("layer %s: %w", l.Name, err)
		}
		if l.Scope < 0 || l.Scope > len(p.Regions) || regionOf(l) < 0 || regionOf(l) > len(p.Regions) {
			return nil, fmt.Errorf("layer %s: region %d out of range", l.Name, l.Scope)
		}
		if c, ok := l.Params.(constantParams); ok {
			if c.Weights == nil {
				return nil, fmt.Errorf("layer %s: missing weights", l.Name)
			}
			w, err := ir.WrapBytes(c.Weights.DType, c.Weights.Shape, c.Weights.Data)
			if err != nil {
				return nil, fmt.Errorf("layer %s: %w", l.Name, err)
			}
			l.Params = constantParams{w}
		}
		// A plugin layer runs through its CPU op: without it the engine
		// cannot run, which is known now, before anything runs.
		if pp, ok := l.Params.(pluginV3Params); ok {
			if _, ok := ops.Lookup(pp.Spec.CPUOp); !ok {
				return nil, &ops.MissingOpError{Op: pp.Spec.CPUOp, Where: fmt.Sprintf("layer %s (TensorRT plugin %s version %s, namespace %q) runs through it on the reference backend", l.Name, pp.Spec.Creator, pp.Spec.Version, pp.Spec.Namespace)}
			}
		}
	}
	if err := checkRegionLayers(&p); err != nil {
		return nil, fmt.Errorf("reference engine: %w", err)
	}
	return newEngine(&p), nil
}

// LoadPluginLibraries checks that each TensorRT plugin library is an ELF
// file and loads nothing: this backend has no TensorRT plugin registry and
// runs plugin layers through the trtc ops their converters name
// (network.PluginV3.CPUOp). The bundle still records the libraries, for
// the TensorRT backend.
func (Backend) LoadPluginLibraries(paths []string) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("--trt-plugin-lib %s: %w", p, err)
		}
		magic := make([]byte, 4)
		_, err = io.ReadFull(f, magic)
		f.Close()
		if err != nil || string(magic) != "\x7fELF" {
			return fmt.Errorf("--trt-plugin-lib %s: not a shared library (no ELF header)", p)
		}
	}
	return nil
}
