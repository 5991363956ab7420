package precision

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Rule is one autocast accuracy rule: a node it matches stays float32 on a
// strongly typed network even though --fp16/--bf16 was asked. Rules is the
// whole table, in the order the pass checks it; docs/precision.md shows the
// same table (a test compares them).
type Rule struct {
	Name string
	// Ops are the op types the rule looks at (ONNX op types; ATen keys
	// match by their op name, aten.exp.default as "exp"); nil: every op.
	Ops []string
	// Why is the one-line reason the docs and the report give.
	Why string
	// keep says whether the rule keeps n in float32, and the detail.
	keep func(c *ruleCtx) (bool, string)
}

// MaxReductionDepth is the most elements one output of a reduction may
// sum over and still be lowered: TensorRT's reduce kernels in float16 may
// accumulate in float16, where a long sum loses the low bits of every
// addend.
const MaxReductionDepth = 4096

// OverflowMargin is the headroom the magnitude rule asks for: a node is
// kept in float32 when an input or output it was observed to take, times
// OverflowMargin, exceeds the low type's largest finite value (65504 for
// float16, so |x| > 8188). Observed values come from generated inputs, and
// real inputs may be larger.
const OverflowMargin = 8

// ruleCtx is what a rule sees of one node.
type ruleCtx struct {
	n        *ir.Node
	in, out  []*ir.Value
	low      ir.DType
	observed map[string]float64 // max |x| per value name; nil when not observed
	graph    *graphInfo         // the graph before the pass
}

// Rules is the autocast rule table.
var Rules = []Rule{
	{
		Name: "transcendental",
		Ops:  []string{"Exp", "Log", "Pow", "Softplus", "LogSoftmax", "ReduceLogSumExp", "ReduceLogSum", "exp", "log", "pow", "softplus", "log_softmax", "_log_softmax", "logsumexp"},
		Why:  "exp/log/pow lose accuracy or overflow in float16 (e^11.1 > 65504)",
		keep: func(c *ruleCtx) (bool, string) { return true, "exp/log/pow computes in float32" },
	},
	{
		Name: "discontinuous",
		Ops: []string{"Floor", "Ceil", "Round", "Mod", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Equal",
			"ArgMax", "ArgMin", "TopK", "floor", "ceil", "round", "remainder", "fmod", "floor_divide",
			"lt", "le", "gt", "ge", "eq", "ne", "argmax", "argmin", "topk", "sort"},
		Why: "rounding, modulo, comparison and selection jump at a threshold: an input rounded across it changes the result by a whole step (floor(2.9995) = 2, floor of its float16 3)",
		keep: func(c *ruleCtx) (bool, string) {
			return true, "rounds, compares or selects: reads its inputs in float32"
		},
	},
	{
		Name: "product",
		Ops:  []string{"ReduceProd", "CumProd", "prod", "cumprod"},
		Why:  "a product of n values grows like x^n: 12 values of 1..12 already exceed 65504",
		keep: func(c *ruleCtx) (bool, string) { return true, "a product over many elements computes in float32" },
	},
	{
		Name: "deep-reduction",
		Ops: []string{"ReduceSum", "ReduceMean", "ReduceL1", "ReduceL2", "ReduceSumSquare", "CumSum",
			"GlobalAveragePool", "GlobalLpPool", "sum", "mean", "cumsum", "norm", "linalg_vector_norm", "var", "std"},
		Why:  fmt.Sprintf("a sum over more than %d elements per output loses the addends' low bits in a float16 accumulator", MaxReductionDepth),
		keep: keepDeepReduction,
	},
	{
		Name: "residual-sum",
		Ops:  []string{"Add", "Sub", "add", "sub"},
		Why:  "bfloat16 keeps 8 significant bits: a chain of sums of activations (a transformer's residual stream: an Add of two same-shape activations that reads or feeds another) drifts by an ulp per layer",
		keep: keepResidualSum,
	},
	{
		Name: "overflow",
		Why:  fmt.Sprintf("an input or output observed (float32 run on generated inputs) above the low type's largest value / %d overflows to inf", OverflowMargin),
		keep: keepOverflow,
	},
}

// StatisticsOps are lowered with float32 statistics: their input and output
// tensors take the low type, and the layer computes its max/sum (softmax)
// or mean/variance (normalization) in float32, as TensorRT does by default
// ("TensorRT will run the normalization computation in DataType::kFLOAT32
// even in mixed precision mode", NvInfer.h, INormalizationLayer::
// setComputePrecision) and as the reference backend does for every float16
// layer (float32 compute, output rounded once).
var StatisticsOps = []string{"Softmax", "LayerNormalization", "BatchNormalization", "InstanceNormalization",
	"GroupNormalization", "RMSNormalization", "softmax", "_softmax", "layer_norm", "native_layer_norm", "batch_norm", "group_norm"}

func keepDeepReduction(c *ruleCtx) (bool, string) {
	if len(c.in) == 0 || c.in[0] == nil || len(c.out) == 0 || c.out[0] == nil {
		return false, ""
	}
	in, out := c.in[0].Shape, c.out[0].Shape
	if !in.IsStatic() || !out.IsStatic() {
		// Unknown depth: a dynamic reduction may be long.
		return true, fmt.Sprintf("reduces %v to %v, a depth unknown at build time", in, out)
	}
	di, _ := in.Ints()
	do, _ := out.Ints()
	nin, nout := ir.Numel(di), ir.Numel(do)
	if nout == 0 || nin/max(nout, 1) <= MaxReductionDepth {
		return false, ""
	}
	return true, fmt.Sprintf("sums %d elements per output (more than %d)", nin/nout, MaxReductionDepth)
}

func keepResidualSum(c *ruleCtx) (bool, string) {
	if c.low != ir.BFloat16 || !c.graph.activationSum(c.n) {
		return false, ""
	}
	for _, in := range c.n.Inputs {
		if p := c.graph.producer[in]; p != nil && c.graph.activationSum(p) {
			return true, fmt.Sprintf("adds to %s, itself a sum of activations: a running (residual) sum in bfloat16", p.Name)
		}
	}
	for _, out := range c.n.Outputs {
		for _, r := range c.graph.readers[out] {
			if c.graph.activationSum(r) {
				return true, fmt.Sprintf("feeds %s, another sum of activations: a running (residual) sum in bfloat16", r.Name)
			}
		}
	}
	return false, ""
}

// graphInfo is what rules see of the whole graph.
type graphInfo struct {
	g        *ir.Graph
	producer map[string]*ir.Node
	readers  map[string][]*ir.Node
}

func newGraphInfo(g *ir.Graph) *graphInfo {
	return &graphInfo{g: g, producer: g.Producers(), readers: g.Consumers()}
}

// activationSum says whether n adds or subtracts two non-constant float
// tensors of one static shape (no broadcast): a residual connection.
func (gi *graphInfo) activationSum(n *ir.Node) bool {
	if !inList([]string{"Add", "Sub", "add", "sub"}, opName(n)) || len(n.Inputs) < 2 || len(n.Outputs) == 0 {
		return false
	}
	a, b, o := gi.g.Values[n.Inputs[0]], gi.g.Values[n.Inputs[1]], gi.g.Values[n.Outputs[0]]
	return a != nil && b != nil && o != nil && a.Const == nil && b.Const == nil && a.DType.IsFloat() &&
		a.Shape.IsStatic() && a.Shape.Equal(b.Shape) && o.Shape.Equal(a.Shape)
}

func keepOverflow(c *ruleCtx) (bool, string) {
	if c.observed == nil {
		return false, ""
	}
	limit := MaxFinite(c.low) / OverflowMargin
	for _, vs := range [][]*ir.Value{c.in, c.out} {
		for _, v := range vs {
			if v == nil || !v.DType.IsFloat() {
				continue
			}
			if m, ok := c.observed[v.Name]; ok && m > limit {
				return true, fmt.Sprintf("%s reached |x| = %.4g, above %.4g (%s's largest value %.6g / %d)",
					v.Name, m, limit, TypeName(c.low), MaxFinite(c.low), OverflowMargin)
			}
		}
	}
	return false, ""
}

// MaxFinite is the largest finite value of a float type.
func MaxFinite(dt ir.DType) float64 {
	switch dt {
	case ir.Float16:
		return 65504
	case ir.BFloat16:
		return 3.3895313892515355e38
	}
	return math.MaxFloat32
}

// opName is the name rules and --keep-fp32 match an op by: the ONNX op type
// ("Softmax"), or an ATen key's op name ("aten.softmax.int" -> "softmax").
func opName(n *ir.Node) string {
	t := n.OpType()
	if len(t) > 5 && t[:5] == "aten." {
		rest := t[5:]
		for i := 0; i < len(rest); i++ {
			if rest[i] == '.' {
				return rest[:i]
			}
		}
		return rest
	}
	return t
}

func inList(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
