package ops

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// needInputs checks that inputs [0, k) are present.
func needInputs(in []*ir.Value, k int) error {
	if len(in) < k {
		return fmt.Errorf("needs at least %d inputs, has %d", k, len(in))
	}
	for i := 0; i < k; i++ {
		if in[i] == nil {
			return fmt.Errorf("input %d is missing", i)
		}
	}
	return nil
}

// sameDType checks that all present inputs share a dtype and returns it.
func sameDType(in []*ir.Value) (ir.DType, error) {
	dt := ir.Undefined
	for i, v := range in {
		if v == nil {
			continue
		}
		if dt == ir.Undefined {
			dt = v.DType
		} else if v.DType != dt {
			return dt, fmt.Errorf("input %d is %v but input 0 is %v", i, v.DType, dt)
		}
	}
	return dt, nil
}

// out1 wraps a single output.
func out1(dt ir.DType, s ir.Shape) []*ir.Value { return []*ir.Value{{DType: dt, Shape: s}} }

// t1 wraps a single output tensor.
func t1(t *ir.Tensor, err error) ([]*ir.Tensor, error) {
	if err != nil {
		return nil, err
	}
	return []*ir.Tensor{t}, nil
}
