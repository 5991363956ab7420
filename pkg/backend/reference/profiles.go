package reference

import (
	"errors"
	"fmt"
	"slices"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// Optimization profiles on the reference backend. The plan records the
// profiles it was built with, resolved per engine input as TensorRT's
// builder takes them (backend.ResolveProfiles), and Run refuses bindings
// outside every profile, naming the input, the dim (or shape-tensor value)
// and the range, as IExecutionContext::setInputShape refuses them. Built
// without profiles, a network with dynamic inputs runs any shape (TensorRT
// would not build it; the reference backend stays usable for dry runs and
// converter tests), but a shape-tensor input always needs values.

// resolveProfiles checks the profiles against the network's inputs.
func (n *Network) resolveProfiles(marks []bool, profiles []backend.Profile) ([]backend.Profile, error) {
	uses := n.shapeTensors()
	var ins []backend.ProfileInput
	for _, id := range n.inputs {
		v := n.tensors[id].val
		in := backend.ProfileInput{Name: v.Name, DType: v.DType, Shape: v.Shape, ShapeTensor: marks[id]}
		if u := uses[id]; u != nil {
			in.Use = u.layer.Name
		}
		ins = append(ins, in)
	}
	// setShapeValuesV2 (int64 values) is in TensorRT 10.11 and later.
	res, err := backend.ResolveProfiles(ins, profiles, backend.ResolveOptions{Int64Values: !n.newer(network.Version{Major: 10, Minor: 11})})
	var se *backend.ShapeInputError
	if errors.As(err, &se) {
		for _, id := range n.inputs {
			if n.tensors[id].val.Name == se.Input && uses[id] != nil {
				se.Node = uses[id].layer.Node
			}
		}
	}
	return res, err
}

// shapeInputs lists the plan's shape-tensor inputs, in input order.
func (p *plan) shapeInputs() []string {
	var out []string
	for _, id := range p.Inputs {
		if p.Tensors[id].ShapeTensor {
			out = append(out, p.Tensors[id].Name)
		}
	}
	return out
}

// Profiles are the optimization profiles the engine was built with.
func (e *Engine) Profiles() []backend.Profile { return e.p.Profiles }

// ShapeInputs lists the engine's shape-tensor inputs.
func (e *Engine) ShapeInputs() []string { return e.p.shapeInputs() }

// checkProfiles finds a profile that admits every bound input, as the
// runtime selects one (IExecutionContext::setOptimizationProfileAsync);
// when none does, the error is profile 0's first violation (or, with
// several profiles, every profile's).
func (e *Engine) checkProfiles(inputs map[string]*ir.Tensor) error {
	if len(e.p.Profiles) == 0 {
		return nil
	}
	var errs []error
	for pi, prof := range e.p.Profiles {
		var err error
		for _, id := range e.p.Inputs {
			pt := e.p.Tensors[id]
			if err = backend.CheckProfileShape(pi, prof, pt.Name, inputs[pt.Name], pt.ShapeTensor); err != nil {
				break
			}
		}
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return fmt.Errorf("no optimization profile admits the inputs: %w", errors.Join(errs...))
}

// IgnoredOptions names the build settings given in opts that have no
// effect on the reference backend (they tune or package TensorRT engines),
// so that the caller can warn about each.
func IgnoredOptions(opts backend.BuildOptions) []string {
	var out []string
	if opts.WorkspaceBytes != 0 {
		out = append(out, "--workspace")
	}
	if opts.TimingCache != "" {
		out = append(out, "--timing-cache")
	}
	if opts.VersionCompatible {
		out = append(out, "--version-compatible")
	}
	if opts.OptimizationLevelSet {
		out = append(out, "--builder-optimization-level")
	}
	if opts.HardwareCompatibility != "" && opts.HardwareCompatibility != "none" {
		out = append(out, "--hardware-compatibility")
	}
	return slices.Clip(out)
}
