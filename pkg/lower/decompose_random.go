package lower

import (
	"errors"
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Random ops (PyTorch's global generator, no seed in the graph) as ONNX
// RandomUniform/RandomNormal(Like) and Bernoulli without a seed: in engines
// they are TensorRT random fills, in fallback the kernels of
// kernels/random.go. rand/randn/randint/normal with sizes; the _like forms;
// uniform_/normal_ (functionalized: uniform, normal, normal_functional);
// bernoulli (.default with per-element p, .p/.float with one p, .Tensor);
// dropout and native_dropout in training mode. empty_like/empty_permuted
// (the buffers uniform_ and normal_ fill) are zeros.

func init() {
	d := decompositions
	d["aten.rand.default"] = decRandSized("onnx.RandomUniform")
	d["aten.randn.default"] = decRandSized("onnx.RandomNormal")
	d["aten.randint.low"] = decRandSized("randint")
	d["aten.randint.default"] = decRandSized("randint")
	d["aten.normal.float_float"] = decRandSized("onnx.RandomNormal")
	d["aten.rand_like.default"] = decRandLike("onnx.RandomUniformLike")
	d["aten.randn_like.default"] = decRandLike("onnx.RandomNormalLike")
	d["aten.uniform.default"] = decRandLike("onnx.RandomUniformLike")
	d["aten.normal.default"] = decRandLike("onnx.RandomNormalLike")
	d["aten.normal_functional.default"] = decRandLike("onnx.RandomNormalLike")
	d["aten.normal.Tensor_float"] = decNormalTensor
	d["aten.normal.float_Tensor"] = decNormalTensor
	d["aten.normal.Tensor_Tensor"] = decNormalTensor
	d["aten.bernoulli.default"] = decBernoulli
	d["aten.bernoulli.p"] = decBernoulli
	d["aten.bernoulli.float"] = decBernoulli
	d["aten.bernoulli.Tensor"] = decBernoulli
	d["aten.dropout.default"] = decDropoutTrain // training mode only (needsDecomposition)
	d["aten.empty_like.default"] = func(r *rewriter, n *ir.Node) error {
		a := map[string]ir.Attr{}
		if v, ok := n.Attrs["dtype"]; ok {
			a["dtype"] = v
		}
		r.emit("aten.zeros_like.default", a, []string{n.Inputs[0]}, out(n, 0))
		return nil
	}
	d["aten.empty_permuted.default"] = decEmpty
	for _, k := range []string{"aten.rand.default", "aten.randn.default", "aten.randint.low", "aten.randint.default", "aten.normal.float_float", "aten.empty_permuted.default"} {
		symAware[k] = true
		requiredInputs[k] = 0
	}
	requiredInputs["aten.normal.Tensor_Tensor"] = 2
}

// randDType: the dtype argument, else PyTorch's default (float32; int64
// for randint).
func randDType(n *ir.Node, def ir.DType) ir.DType {
	if n.HasAttr("dtype") {
		return ir.DType(n.AttrInt("dtype", int64(def)))
	}
	return def
}

func floatArg(n *ir.Node, name string, def float64) float64 {
	if v, _, ok := ops.ScalarAttr(n, name); ok {
		return v
	}
	return def
}

// decRandSized: rand, randn, randint and normal.float_float over a size
// list; a symbolic size becomes zeros of that size (a full node, which the
// symbolic-integer pass turns into ConstantOfShape) drawn Like.
func decRandSized(kind string) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		size := n.AttrInts("size", nil)
		dt := randDType(n, ir.Float32)
		a := map[string]ir.Attr{}
		lo, hi := 0.0, 1.0
		switch {
		case kind == "randint":
			dt = randDType(n, ir.Int64)
			lo, hi = float64(n.AttrInt("low", 0)), float64(n.AttrInt("high", 0))
			if hi <= lo {
				return fmt.Errorf("randint range [%g, %g) is empty", lo, hi)
			}
			if hi-lo > 1<<24 {
				return fmt.Errorf("randint range [%g, %g) is wider than 2^24, past what a float32 uniform draw resolves", lo, hi)
			}
			a["low"], a["high"] = attrFloat(lo), attrFloat(hi)
		case n.Op == "aten.normal.float_float":
			a["mean"], a["scale"] = attrFloat(floatArg(n, "mean", 0)), attrFloat(floatArg(n, "std", 1))
		}
		draw := ir.Float32
		if kind != "randint" {
			if !dt.IsFloat() {
				return fmt.Errorf("random values of %v", dt)
			}
			draw = dt
		}
		a["dtype"] = attrInt(int64(draw))
		op := kind
		if kind == "randint" {
			op = "onnx.RandomUniform"
		}
		var x string
		if hasSymRefs(n) {
			// The size holds symbols: zeros of that size, drawn Like.
			za := map[string]ir.Attr{"fill_value": attrFloat(0), "dtype": attrInt(int64(draw))}
			for k, v := range n.Attrs {
				if k == "size" || len(k) > 6 && (k[:6] == "_sym_s" || k[:6] == "_symre") {
					za[k] = v
				}
			}
			like := r.emit1("aten.full.default", za)
			x = r.emit1(op+"Like", a, like)
		} else {
			for _, s := range size {
				if s < 0 {
					return fmt.Errorf("size %v has a negative dim", size)
				}
			}
			a["shape"] = attrInts(size...)
			x = r.emit1(op, a)
		}
		if kind != "randint" {
			r.emit("onnx.Identity", nil, []string{x}, out(n, 0))
			return nil
		}
		// floor(U[low, high)), at most high-1 (a float32 draw may round up
		// to high), as dt.
		f := r.emit1("onnx.Min", nil, r.emit1("onnx.Floor", nil, x), r.konst(ir.Scalar(ir.Float32, hi-1)))
		r.emit("onnx.Cast", map[string]ir.Attr{"to": attrInt(int64(dt))}, []string{f}, out(n, 0))
		return nil
	}
}

// decRandLike: rand_like/randn_like (dtype argument or self's) and the
// functional fills uniform(self, from, to), normal(self, mean, std).
func decRandLike(op string) decomposer {
	return func(r *rewriter, n *ir.Node) error {
		x, err := needShape(r, n, 0)
		if err != nil {
			return err
		}
		dt := randDType(n, x.DType)
		if !dt.IsFloat() {
			return fmt.Errorf("random values of %v: want a float type", dt)
		}
		a := map[string]ir.Attr{"dtype": attrInt(int64(dt))}
		switch n.Op {
		case "aten.uniform.default":
			a["low"], a["high"] = attrFloat(floatArg(n, "from", 0)), attrFloat(floatArg(n, "to", 1))
		case "aten.normal.default", "aten.normal_functional.default":
			a["mean"], a["scale"] = attrFloat(floatArg(n, "mean", 0)), attrFloat(floatArg(n, "std", 1))
		}
		r.emit(op, a, []string{n.Inputs[0]}, out(n, 0))
		return nil
	}
}

// normal with a mean or std tensor: mean + std * N(0, 1) over their
// broadcast shape. The tensors are the inputs in schema order: mean
// (Tensor_float), std (float_Tensor), or both (Tensor_Tensor).
func decNormalTensor(r *rewriter, n *ir.Node) error {
	var mean, std string
	switch n.Op {
	case "aten.normal.Tensor_float":
		mean = n.Input(0)
	case "aten.normal.float_Tensor":
		std = n.Input(0)
	default:
		mean, std = n.Input(0), n.Input(1)
	}
	var dt ir.DType
	for _, name := range []string{mean, std} {
		if name == "" {
			continue
		}
		v := r.value(name)
		if v == nil {
			return fmt.Errorf("input %s has no type", name)
		}
		if !v.DType.IsFloat() {
			return fmt.Errorf("input %s is %v, want a float type", name, v.DType)
		}
		dt = v.DType
	}
	if dt == 0 {
		return errors.New("normal needs a mean or std tensor")
	}
	if mean == "" {
		mean = r.konst(ir.Scalar(dt, floatArg(n, "mean", 0)))
	}
	if std == "" {
		std = r.konst(ir.Scalar(dt, floatArg(n, "std", 1)))
	}
	// The broadcast shape: mean + 0 * std.
	like := r.emit1("onnx.Add", nil, mean, r.emit1("onnx.Mul", nil, std, r.konst(ir.Scalar(dt, 0))))
	z := r.emit1("onnx.RandomNormalLike", map[string]ir.Attr{"dtype": attrInt(int64(dt))}, like)
	r.emit("onnx.Add", nil, []string{mean, r.emit1("onnx.Mul", nil, std, z)}, out(n, 0))
	return nil
}

// bernoulli: .default draws with self's values as probabilities; .p and
// .float (functionalized bernoulli_) with one p; .Tensor with a p tensor
// broadcast to self. The result has self's dtype.
func decBernoulli(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	if !x.DType.IsFloat() {
		return fmt.Errorf("bernoulli of %v: want a float tensor", x.DType)
	}
	dt := attrInt(int64(x.DType))
	switch n.Op {
	case "aten.bernoulli.default":
		r.emit("onnx.Bernoulli", map[string]ir.Attr{"dtype": dt}, []string{n.Inputs[0]}, out(n, 0))
	case "aten.bernoulli.Tensor":
		p := n.Input(1)
		if p == "" {
			return errors.New("p is missing")
		}
		pe := r.emit1("onnx.Expand", nil, r.asDType(p, x.DType), r.emit1("onnx.Shape", nil, n.Inputs[0]))
		r.emit("onnx.Bernoulli", map[string]ir.Attr{"dtype": dt}, []string{pe}, out(n, 0))
	default:
		p := floatArg(n, "p", 0.5)
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("p %g is outside [0, 1]", p)
		}
		// U[0, 1) < p is 1 with probability p.
		u := r.emit1("onnx.RandomUniformLike", map[string]ir.Attr{"dtype": dt}, n.Inputs[0])
		hit := r.emit1("onnx.Less", nil, u, r.konst(ir.Scalar(x.DType, p)))
		r.emit("onnx.Cast", map[string]ir.Attr{"to": dt}, []string{hit}, out(n, 0))
	}
	return nil
}

// dropoutTrain: keep = U[0, 1) >= p; y = keep ? x / (1 - p) : 0.
func dropoutTrain(r *rewriter, n *ir.Node, x *ir.Value, p float64) (y, keep string, err error) {
	if !x.DType.IsFloat() {
		return "", "", fmt.Errorf("dropout of %v: want a float tensor", x.DType)
	}
	if !(p >= 0 && p <= 1) {
		return "", "", fmt.Errorf("dropout probability %g is outside [0, 1]", p)
	}
	u := r.emit1("onnx.RandomUniformLike", map[string]ir.Attr{"dtype": attrInt(int64(x.DType))}, n.Inputs[0])
	keep = r.emit1("onnx.GreaterOrEqual", nil, u, r.konst(ir.Scalar(x.DType, p)))
	scale := 0.0
	if p < 1 {
		scale = 1 / (1 - p)
	}
	scaled := r.emit1("onnx.Mul", nil, n.Inputs[0], r.konst(ir.Scalar(x.DType, scale)))
	return r.emit1("onnx.Where", nil, keep, scaled, r.konst(ir.Scalar(x.DType, 0))), keep, nil
}

// dropout(input, p, train=True).
func decDropoutTrain(r *rewriter, n *ir.Node) error {
	x, err := needShape(r, n, 0)
	if err != nil {
		return err
	}
	y, _, err := dropoutTrain(r, n, x, floatArg(n, "p", 0.5))
	if err != nil {
		return err
	}
	r.emit("onnx.Identity", nil, []string{y}, out(n, 0))
	return nil
}
