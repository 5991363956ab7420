package runtime

import (
	"errors"
	"fmt"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
	bundlepb "github.com/trtc-dev/trtc/proto/bundle"
)

// Optimization profiles at run time. An engine segment's profiles (from
// the manifest) bound the dims of its dynamic inputs and the values of its
// shape-tensor inputs. Graph inputs that an engine reads directly are
// checked before anything runs, so that a batch too large for every
// profile is the caller's input error (exit 3), named by input, dim and
// range, as TensorRT's IExecutionContext::setInputShape refuses it; values
// computed inside the bundle are checked by the engine itself.

// profilesOf reads a segment's profiles by engine tensor name.
func profilesOf(es *bundlepb.EngineSegment) []backend.Profile {
	var out []backend.Profile
	for _, op := range es.GetProfiles() {
		p := backend.Profile{Min: map[string][]int64{}, Opt: map[string][]int64{}, Max: map[string][]int64{},
			MinValues: map[string][]int64{}, OptValues: map[string][]int64{}, MaxValues: map[string][]int64{}}
		for _, s := range op.GetInputs() {
			if len(s.GetMin()) > 0 {
				p.Min[s.GetTensor()], p.Opt[s.GetTensor()], p.Max[s.GetTensor()] = s.GetMin(), s.GetOpt(), s.GetMax()
			}
			if len(s.GetMinValues()) > 0 {
				p.MinValues[s.GetTensor()], p.OptValues[s.GetTensor()], p.MaxValues[s.GetTensor()] = s.GetMinValues(), s.GetOptValues(), s.GetMaxValues()
			}
		}
		out = append(out, p)
	}
	return out
}

// checkProfiles checks the graph inputs an engine segment reads against
// its profiles: some profile must admit all of them.
func (s *engineSegment) checkProfiles(inputs map[string]*ir.Tensor) error {
	if len(s.profiles) == 0 {
		return nil
	}
	var errs []error
	for pi, p := range s.profiles {
		var err error
		for _, b := range s.in {
			t, ok := inputs[b.Value]
			if !ok {
				continue // computed by an earlier segment
			}
			if err = backend.CheckProfileShape(pi, p, b.Tensor, t, b.ShapeTensor); err != nil {
				break
			}
		}
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 1 {
		return fmt.Errorf("segment %d (engine): %w", s.index, errs[0])
	}
	return fmt.Errorf("segment %d (engine): no optimization profile admits the inputs: %w", s.index, errors.Join(errs...))
}
