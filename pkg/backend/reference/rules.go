package reference

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// TensorRT's rules, enforced when a layer is added. The table
// (kindRuleTable, rules_gen.go) is generated from pkg/network/kinddef, the
// one declaration of every layer kind; this file holds the checks it names.
// A violation fails the layer with a *RuleError naming the rule and the
// header passage it comes from; network.Error adds the layer's name.

type ruleSource struct{ File, Quote string }

type inputRule struct {
	Name                            string
	Optional, ShapeTensor, Variadic bool
	DTypes                          []ir.DType
	DTypeSource                     ruleSource
	MinRank, MaxRank                int
	RankSource                      ruleSource
	Since                           network.Version
	Int64Since                      network.Version
	Int64Source                     ruleSource
}

type outputRule struct {
	Name        string
	DTypes      []ir.DType
	DTypeSource ruleSource
}

type customRule struct {
	Check, Text string
	Source      ruleSource
	Since       network.Version
}

type kindRules struct {
	Kind    network.LayerKind
	Since   network.Version
	Inputs  []inputRule
	Outputs []outputRule
	Rules   []customRule
}

// RuleError is a broken TensorRT rule: its id (Kind.input.dtype,
// Kind.check, ...), what is wrong, and the header passage.
type RuleError struct {
	Rule   string
	Detail string
	Source ruleSource
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("%s; TensorRT rule %s (%s: %q)", e.Detail, e.Rule, e.Source.File, e.Source.Quote)
}

// SetTargetVersion makes the network refuse kinds and features newer than
// TensorRT v (the zero Version, the default, accepts every release).
func (n *Network) SetTargetVersion(v network.Version) { n.target = v }

// ruleInput returns the rule of input i (the variadic last one repeats).
func (r *kindRules) ruleInput(i int) *inputRule {
	if len(r.Inputs) == 0 {
		return nil
	}
	if i >= len(r.Inputs) {
		if last := &r.Inputs[len(r.Inputs)-1]; last.Variadic {
			return last
		}
		return nil
	}
	return &r.Inputs[i]
}

func (n *Network) newer(v network.Version) bool {
	return n.target != (network.Version{}) && v != (network.Version{}) && n.target.Less(v)
}

// checkRules applies the kind's table to a layer about to be added.
func (n *Network) checkRules(l *layer, in []*ir.Value) error {
	r := kindRuleTable[l.Kind]
	if r == nil {
		return fmt.Errorf("layer kind %s has no rule table (pkg/network/kinddef)", l.Kind)
	}
	if n.newer(r.Since) {
		return &RuleError{string(l.Kind) + ".since", fmt.Sprintf("%s layers need TensorRT %v, the target is %v", l.Kind, r.Since, n.target),
			ruleSource{"NvInfer.h", "I" + string(l.Kind) + "Layer"}}
	}
	if err := n.checkInputs(r, in); err != nil {
		return err
	}
	for _, c := range r.Rules {
		check := ruleChecks[c.Check]
		if check == nil {
			return fmt.Errorf("rule %s.%s has no check in the reference backend", l.Kind, c.Check)
		}
		if err := check(n, l, in); err != nil {
			return &RuleError{string(l.Kind) + "." + c.Check, err.Error(), c.Source}
		}
	}
	return nil
}

// checkInputs applies the table's input rules: count, presence, dtype,
// rank and the release that added an input.
func (n *Network) checkInputs(r *kindRules, in []*ir.Value) error {
	l := r
	if len(in) > len(r.Inputs) && (len(r.Inputs) == 0 || !r.Inputs[len(r.Inputs)-1].Variadic) {
		return fmt.Errorf("%d inputs, %s takes %d", len(in), l.Kind, len(r.Inputs))
	}
	for i := range max(len(in), len(r.Inputs)) {
		spec := r.ruleInput(i)
		var v *ir.Value
		if i < len(in) {
			v = in[i]
		}
		id := string(l.Kind) + "." + spec.Name
		if v == nil {
			if !spec.Optional && !(spec.Variadic && i > 0) {
				return fmt.Errorf("input %s is missing", spec.Name)
			}
			continue
		}
		if n.newer(spec.Since) {
			return &RuleError{id + ".since", fmt.Sprintf("input %s needs TensorRT %v, the target is %v", spec.Name, spec.Since, n.target), spec.DTypeSource}
		}
		if !slices.Contains(spec.DTypes, v.DType) {
			return &RuleError{id + ".dtype", fmt.Sprintf("input %s is %v, TensorRT takes %s", spec.Name, v.DType, dtypeNames(spec.DTypes)), spec.DTypeSource}
		}
		if v.DType == ir.Int64 && n.newer(spec.Int64Since) {
			return &RuleError{id + ".int64_since", fmt.Sprintf("input %s is Int64, which TensorRT documents from %v on; the target is %v", spec.Name, spec.Int64Since, n.target), spec.Int64Source}
		}
		if spec.RankSource.Quote != "" {
			rank := len(v.Shape)
			if rank < spec.MinRank || (spec.MaxRank > 0 || spec.MinRank == 0) && rank > spec.MaxRank {
				return &RuleError{id + ".rank", fmt.Sprintf("input %s has rank %d, TensorRT takes %s", spec.Name, rank, rankText(spec.MinRank, spec.MaxRank)), spec.RankSource}
			}
		}
	}
	return nil
}

// checkOutputs applies the output dtype rules to inferred outputs.
func checkOutputs(l *layer, outs []*ir.Value) error {
	r := kindRuleTable[l.Kind]
	if r == nil {
		return nil
	}
	for i, o := range r.Outputs {
		if i < len(outs) && !slices.Contains(o.DTypes, outs[i].DType) {
			return &RuleError{string(l.Kind) + "." + o.Name + ".dtype", fmt.Sprintf("output %s would be %v, TensorRT makes %s", o.Name, outs[i].DType, dtypeNames(o.DTypes)), o.DTypeSource}
		}
	}
	return nil
}

func dtypeNames(dts []ir.DType) string {
	s := make([]string, len(dts))
	for i, d := range dts {
		s[i] = d.String()
	}
	return strings.Join(s, ", ")
}

func rankText(lo, hi int) string {
	switch {
	case hi == 0 && lo == 0:
		return "rank 0"
	case hi == 0:
		return fmt.Sprintf("rank >= %d", lo)
	case lo == hi:
		return fmt.Sprintf("rank %d", lo)
	}
	return fmt.Sprintf("rank %d to %d", lo, hi)
}

// ruleCheck enforces one custom rule; it returns what is wrong.
type ruleCheck func(n *Network, l *layer, in []*ir.Value) error

// ruleChecks holds the check of every custom rule the table names. A test
// refuses a rule of pkg/network/kinddef without one here.
var ruleChecks = map[string]ruleCheck{
	"same_rank_and_type": func(_ *Network, _ *layer, in []*ir.Value) error {
		a, b := in[0], in[1]
		if a.DType != b.DType {
			return fmt.Errorf("inputs are %v and %v (a Cast is needed)", a.DType, b.DType)
		}
		if len(a.Shape) != len(b.Shape) {
			return fmt.Errorf("inputs have ranks %d and %d", len(a.Shape), len(b.Shape))
		}
		return nil
	},
	"logical_bool": func(_ *Network, l *layer, in []*ir.Value) error {
		op := l.Params.(elementWiseParams).Op
		logical := op == network.ElementWiseAND || op == network.ElementWiseOR || op == network.ElementWiseXOR
		if logical != (in[0].DType == ir.Bool) {
			return fmt.Errorf("%v on %v inputs", op, in[0].DType)
		}
		return nil
	},
	"int_relu_only": func(_ *Network, l *layer, in []*ir.Value) error {
		t := l.Params.(network.ActivationParams).Type
		if !trtFloat(in[0].DType) && t != network.ActivationRELU {
			return fmt.Errorf("%v on %v input", t, in[0].DType)
		}
		return nil
	},
	"unary_op_dtype": func(_ *Network, l *layer, in []*ir.Value) error {
		op := l.Params.(unaryParams).Op
		if !UnaryDTypeOK(op, in[0].DType) {
			return fmt.Errorf("%v on %v input", op, in[0].DType)
		}
		return nil
	},
	"unary_isnan_since": func(n *Network, l *layer, _ []*ir.Value) error {
		if l.Params.(unaryParams).Op == network.UnaryISNAN && n.newer(network.Version{Major: 10, Minor: 1}) {
			return fmt.Errorf("kISNAN needs TensorRT 10.1, the target is %v", n.target)
		}
		return nil
	},
	"static_channels": func(_ *Network, _ *layer, in []*ir.Value) error {
		if len(in[0].Shape) > 1 && !in[0].Shape[1].Static() {
			return fmt.Errorf("input %v has a dynamic channel dim", in[0].Shape)
		}
		return nil
	},
	"axes_in_rank": func(_ *Network, l *layer, in []*ir.Value) error {
		if axes := l.Params.(reduceParams).Axes; axes>>uint(len(in[0].Shape)) != 0 {
			return fmt.Errorf("axes mask %#x names dims past rank %d", axes, len(in[0].Shape))
		}
		return nil
	},
	"softmax_one_axis": func(_ *Network, l *layer, in []*ir.Value) error {
		axes := l.Params.(softMaxParams).Axes
		if bits.OnesCount32(axes) != 1 || axes>>uint(len(in[0].Shape)) != 0 {
			return fmt.Errorf("axes mask %#x for rank %d", axes, len(in[0].Shape))
		}
		return nil
	},
	"concat_same_dims": func(_ *Network, l *layer, in []*ir.Value) error {
		axis := l.Params.(concatParams).Axis
		for i, v := range in[1:] {
			a := in[0]
			if v.DType != a.DType || len(v.Shape) != len(a.Shape) {
				return fmt.Errorf("input %d is %v%v, input 0 is %v%v", i+1, v.DType, v.Shape, a.DType, a.Shape)
			}
			for d := range a.Shape {
				if d != axis && a.Shape[d].Static() && v.Shape[d].Static() && a.Shape[d].Size != v.Shape[d].Size {
					return fmt.Errorf("input %d has dims %v, input 0 %v, beyond axis %d", i+1, v.Shape, a.Shape, axis)
				}
			}
		}
		return nil
	},
	"gather_elementwise_dims": func(_ *Network, l *layer, in []*ir.Value) error {
		p := l.Params.(gatherParams)
		r := len(in[0].Shape)
		switch p.Mode {
		case network.GatherND:
			if p.NbElementWiseDims < 0 || p.NbElementWiseDims >= max(r-1, 1) {
				return fmt.Errorf("kND with nbElementWiseDims %d and data rank %d", p.NbElementWiseDims, r)
			}
		default:
			if p.NbElementWiseDims != 0 {
				return fmt.Errorf("%d element-wise dims outside kND", p.NbElementWiseDims)
			}
		}
		return nil
	},
	"select_same_rank": func(_ *Network, _ *layer, in []*ir.Value) error {
		if len(in[0].Shape) != len(in[1].Shape) || len(in[1].Shape) != len(in[2].Shape) {
			return fmt.Errorf("ranks %d, %d and %d", len(in[0].Shape), len(in[1].Shape), len(in[2].Shape))
		}
		if in[1].DType != in[2].DType {
			return fmt.Errorf("then is %v, else %v", in[1].DType, in[2].DType)
		}
		return nil
	},
	"uint8_float_only": func(_ *Network, l *layer, in []*ir.Value) error {
		from, to := in[0].DType, l.Params.(castParams).To
		ok := func(d ir.DType) bool { return d == ir.Float32 || d == ir.Float16 }
		if (from == ir.Uint8 && !ok(to)) || (to == ir.Uint8 && !ok(from)) {
			return fmt.Errorf("cast from %v to %v", from, to)
		}
		return nil
	},
	"norm_scale_bias": func(_ *Network, _ *layer, in []*ir.Value) error {
		x, s, b := in[0], in[1], in[2]
		if len(s.Shape) != len(x.Shape) || len(b.Shape) != len(x.Shape) {
			return fmt.Errorf("scale %v and bias %v for input %v", s.Shape, b.Shape, x.Shape)
		}
		return nil
	},
	"linspace_static_rank1": func(_ *Network, l *layer, in []*ir.Value) error {
		p := l.Params.(network.FillParams)
		static := len(in) < 3 || (in[1] == nil && in[2] == nil)
		if p.Op == network.FillLINSPACE && static && p.Dims != nil && len(p.Dims) != 1 {
			return fmt.Errorf("kLINSPACE with static alpha/beta fills %d dims", len(p.Dims))
		}
		return nil
	},
	"static_alpha_exact": func(_ *Network, l *layer, in []*ir.Value) error {
		p := l.Params.(network.FillParams)
		if p.DType != ir.Int64 || p.Op != network.FillLINSPACE {
			return nil
		}
		const exact = 1 << 53
		for i, v := range []float64{p.Alpha, p.Beta} {
			if (len(in) < 2+i || in[1+i] == nil) && math.Abs(v) > exact {
				return fmt.Errorf("static %s %g is past 2^53: a double cannot hold it exactly", []string{"alpha", "beta"}[i], v)
			}
		}
		return nil
	},
	"cumulative_axis_const": func(_ *Network, _ *layer, in []*ir.Value) error {
		ax, r := in[1], int64(len(in[0].Shape))
		if ax.Const == nil || ax.Const.Numel() != 1 {
			return fmt.Errorf("axis is not a build-time constant scalar")
		}
		if a := ax.Const.Int(0); a < -r || a >= r {
			return fmt.Errorf("axis %d for rank %d", a, r)
		}
		return nil
	},
	"topk_k_limit": func(_ *Network, l *layer, _ []*ir.Value) error {
		if k := l.Params.(topKParams).K; k < 1 || k > maxTopK {
			return fmt.Errorf("K=%d", k)
		}
		return nil
	},
	"topk_last_four_axes": func(_ *Network, l *layer, in []*ir.Value) error {
		axes, r := l.Params.(topKParams).Axes, len(in[0].Shape)
		if bits.OnesCount32(axes) != 1 {
			return fmt.Errorf("axes mask %#x does not name exactly one dim", axes)
		}
		if a := bits.TrailingZeros32(axes); a >= r || a < r-4 {
			return fmt.Errorf("axis %d of rank %d is not one of the last four dims", a, r)
		}
		return nil
	},
	"resize_dims_by_mode": func(_ *Network, l *layer, in []*ir.Value) error {
		// The output size is known here only for static dims or scales;
		// inferResize checks the rest once the shape is inferred.
		p := l.Params.(network.ResizeParams)
		inner, ok := resizeInner[p.Mode]
		if !ok {
			return fmt.Errorf("unknown InterpolationMode %d", p.Mode)
		}
		x := in[0]
		for d := 0; d < len(x.Shape)-inner; d++ {
			if d < len(p.Scales) && p.Scales[d] != 1 {
				return fmt.Errorf("mode %v scales dim %d of rank %d; it resizes the last %d only", p.Mode, d, len(x.Shape), inner)
			}
			if d < len(p.OutputDims) && x.Shape[d].Static() && p.OutputDims[d] != x.Shape[d].Size {
				return fmt.Errorf("mode %v resizes dim %d of rank %d; it resizes the last %d only", p.Mode, d, len(x.Shape), inner)
			}
		}
		return nil
	},
	"einsum_equation": func(_ *Network, l *layer, in []*ir.Value) error {
		ranks := make([]int, len(in))
		for i, v := range in {
			ranks[i] = len(v.Shape)
		}
		_, err := einsumSpec(l.Params.(einsumParams).Equation, ranks)
		return err
	},
	"onehot_values_two": func(_ *Network, _ *layer, in []*ir.Value) error {
		if s := in[1].Shape; len(s) != 1 || !s[0].Static() || s[0].Size != 2 {
			return fmt.Errorf("values are %v, not two elements", s)
		}
		return nil
	},
	"onehot_depth_const": func(_ *Network, _ *layer, in []*ir.Value) error {
		if d := in[2].Const; d == nil || d.Numel() != 1 || d.Int(0) < 1 {
			return fmt.Errorf("depth is not a positive build-time constant")
		}
		return nil
	},
	"onehot_axis": func(_ *Network, l *layer, in []*ir.Value) error {
		_, err := oneHotAxis(l.Params.(oneHotParams).Axis, len(in[0].Shape))
		return err
	},
	"rotary_dim": func(_ *Network, l *layer, in []*ir.Value) error {
		p := l.Params.(rotaryParams)
		d := in[0].Shape[3]
		switch {
		case p.RotaryDim < 0 || p.RotaryDim%2 != 0:
			return fmt.Errorf("rotaryEmbeddingDim %d is negative or odd", p.RotaryDim)
		case p.RotaryDim == 0 && d.Static() && d.Size%2 != 0:
			return fmt.Errorf("rotaryEmbeddingDim 0 means the head size, %d, which is odd", d.Size)
		case p.RotaryDim > 0 && d.Static() && int64(p.RotaryDim) > d.Size:
			return fmt.Errorf("rotaryEmbeddingDim %d exceeds the head size %d", p.RotaryDim, d.Size)
		case p.RotaryDim == 0 && !d.Static():
			return fmt.Errorf("rotaryEmbeddingDim 0 with a dynamic head size: R/2 is unknown at build time")
		}
		return nil
	},
	"rotary_cache_shape": func(_ *Network, l *layer, in []*ir.Value) error {
		half := rotaryHalf(l.Params.(rotaryParams), in[0].Shape[3].Size)
		x, cos, sin := in[0].Shape, in[1].Shape, in[2].Shape
		if len(cos) != len(sin) {
			return fmt.Errorf("cos cache %v and sin cache %v differ in rank", cos, sin)
		}
		for i := range cos {
			if cos[i].Static() && sin[i].Static() && cos[i].Size != sin[i].Size {
				return fmt.Errorf("cos cache %v and sin cache %v differ", cos, sin)
			}
		}
		want := ir.Shape{x[0], x[2], ir.D(half)}
		if len(in) > 3 && in[3] != nil {
			want = ir.Shape{ir.Sym(""), ir.D(half)}
			if p := in[3].Shape; (p[0].Static() && x[0].Static() && p[0].Size != x[0].Size) || (p[1].Static() && x[2].Static() && p[1].Size != x[2].Size) {
				return fmt.Errorf("position ids %v are not [batch, sequence] of input %v", p, x)
			}
		}
		if len(cos) != len(want) {
			return fmt.Errorf("caches are %v; want %v", cos, want)
		}
		for i, w := range want {
			if w.Static() && cos[i].Static() && w.Size != cos[i].Size {
				return fmt.Errorf("caches are %v; want %v", cos, want)
			}
		}
		return nil
	},
	"scatter_same_type": func(_ *Network, _ *layer, in []*ir.Value) error {
		if in[0].DType != in[2].DType {
			return fmt.Errorf("updates are %v, data %v", in[2].DType, in[0].DType)
		}
		return nil
	},
}
