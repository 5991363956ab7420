package runtime

import (
	"errors"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

func TestCheckInputs(t *testing.T) {
	p := &Program{Inputs: []Value{
		{Name: "x", DType: ir.Float32, Shape: ir.Shape{ir.Sym("batch"), ir.D(4)},
			Min: map[string]int64{"batch": 1}, Max: map[string]int64{"batch": 8}},
		{Name: "mask", DType: ir.Bool, Shape: ir.Shape{ir.Sym("batch")}},
	}}
	f := func(dims ...int64) *ir.Tensor { return ir.NewTensor(ir.Float32, dims) }
	b := func(dims ...int64) *ir.Tensor { return ir.NewTensor(ir.Bool, dims) }
	cases := []struct {
		name string
		in   map[string]*ir.Tensor
		want string // "" = accepted
	}{
		{"ok", map[string]*ir.Tensor{"x": f(3, 4), "mask": b(3)}, ""},
		{"unknown name first", map[string]*ir.Tensor{"y": f(3, 4)}, `input "y" is not an input of the model (its inputs: x, mask)`},
		{"missing", map[string]*ir.Tensor{"x": f(3, 4)}, `input "mask" is missing`},
		{"dtype", map[string]*ir.Tensor{"x": ir.NewTensor(ir.Float16, []int64{3, 4}), "mask": b(3)}, "dtype float16, the model expects float32"},
		{"rank", map[string]*ir.Tensor{"x": f(12), "mask": b(3)}, "has rank 1"},
		{"static dim", map[string]*ir.Tensor{"x": f(3, 5), "mask": b(3)}, "dim 1 must be 4"},
		{"symbol disagrees", map[string]*ir.Tensor{"x": f(3, 4), "mask": b(2)}, "batch is 3 in another input"},
		{"above range", map[string]*ir.Tensor{"x": f(9, 4), "mask": b(9)}, "above the compiled range [1, 8]"},
		{"below range", map[string]*ir.Tensor{"x": f(0, 4), "mask": b(0)}, "below the compiled range [1, 8]"},
	}
	for _, c := range cases {
		err := p.CheckInputs(c.in)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an InputError containing %q", c.name, err, c.want)
		}
	}
}
