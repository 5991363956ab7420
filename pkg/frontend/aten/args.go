package aten

import "strings"

// tensorArgs names, per op, the schema arguments typed Tensor or Tensor? that
// a serialized node may carry as something else: None for an absent optional
// tensor, or a Python scalar where the schema says Tensor (torch.export
// writes `x / 4.0` as aten.div.Tensor with other=4.0). Arguments serialized
// as tensors are inputs whatever this table says; this table only decides
// that a None or a scalar in such a slot keeps its input position ("").
var tensorArgs = map[string][]string{
	"aten.convolution.default":                          {"input", "weight", "bias"},
	"aten.conv2d.default":                               {"input", "weight", "bias"},
	"aten.conv1d.default":                               {"input", "weight", "bias"},
	"aten.linear.default":                               {"input", "weight", "bias"},
	"aten.batch_norm.default":                           {"input", "weight", "bias", "running_mean", "running_var"},
	"aten._native_batch_norm_legit_no_training.default": {"input", "weight", "bias", "running_mean", "running_var"},
	"aten.native_layer_norm.default":                    {"input", "weight", "bias"},
	"aten.layer_norm.default":                           {"input", "weight", "bias"},
	"aten.add.Tensor":                                   {"self", "other"},
	"aten.add_.Tensor":                                  {"self", "other"},
	"aten.sub.Tensor":                                   {"self", "other"},
	"aten.mul.Tensor":                                   {"self", "other"},
	"aten.div.Tensor":                                   {"self", "other"},
	"aten.rsub.Tensor":                                  {"self", "other"},
	"aten.pow.Tensor_Tensor":                            {"self", "exponent"},
	"aten.eq.Tensor":                                    {"self", "other"},
	"aten.ne.Tensor":                                    {"self", "other"},
	"aten.lt.Tensor":                                    {"self", "other"},
	"aten.le.Tensor":                                    {"self", "other"},
	"aten.gt.Tensor":                                    {"self", "other"},
	"aten.ge.Tensor":                                    {"self", "other"},
	"aten.where.self":                                   {"condition", "self", "other"},
	"aten.clamp.Tensor":                                 {"self", "min", "max"},
	"aten.addmm.default":                                {"self", "mat1", "mat2"},
	"aten.scaled_dot_product_attention.default":         {"query", "key", "value", "attn_mask"},
	"aten._scaled_dot_product_flash_attention_for_cpu.default": {"query", "key", "value", "attn_mask"},
	"aten.masked_fill.Scalar":                                  {"self", "mask"},
	"aten.masked_fill.Tensor":                                  {"self", "mask", "value"},
}

// scalarArgs names the Scalar-typed arguments (int or float) of op families;
// an int given to one is written as AttrFloat plus "_int_<arg>" = 1.
var scalarArgs = map[string][]string{
	"add": {"other", "alpha"}, "add_": {"other", "alpha"}, "sub": {"other", "alpha"},
	"rsub": {"other", "alpha"}, "mul": {"other"}, "div": {"other"},
	"eq": {"other"}, "ne": {"other"}, "lt": {"other"}, "le": {"other"}, "gt": {"other"}, "ge": {"other"},
	"clamp": {"min", "max"}, "hardtanh": {"min_val", "max_val"}, "leaky_relu": {"negative_slope"},
	"pow": {"exponent", "self"}, "full": {"fill_value"}, "full_like": {"fill_value"},
	"scalar_tensor": {"s"}, "masked_fill": {"value"}, "fill": {"value"},
	"arange": {"start", "end", "step"}, "where": {"self", "other"},
	"elu": {"alpha", "scale", "input_scale"}, "softplus": {"beta", "threshold"},
	"threshold": {"threshold", "value"}, "addmm": {"beta", "alpha"},
}

func isTensorArg(op, arg string) bool {
	for _, a := range tensorArgs[op] {
		if a == arg {
			return true
		}
	}
	return false
}

// opFamily is "add" for "aten.add.Tensor".
func opFamily(op string) string {
	s := strings.TrimPrefix(op, "aten.")
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	return s
}

func isScalarArg(op, arg string) bool {
	for _, a := range scalarArgs[opFamily(op)] {
		if a == arg {
			return true
		}
	}
	return false
}
