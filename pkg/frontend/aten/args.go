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
	// Ops that pkg/lower decomposes, whose optional tensors keep their slots.
	"aten.conv3d.default":                                  {"input", "weight", "bias"},
	"aten.conv_transpose1d.default":                        {"input", "weight", "bias"},
	"aten.conv_transpose2d.input":                          {"input", "weight", "bias"},
	"aten.conv_transpose3d.input":                          {"input", "weight", "bias"},
	"aten.group_norm.default":                              {"input", "weight", "bias"},
	"aten.native_group_norm.default":                       {"input", "weight", "bias"},
	"aten.instance_norm.default":                           {"input", "weight", "bias", "running_mean", "running_var"},
	"aten._scaled_dot_product_efficient_attention.default": {"query", "key", "value", "attn_bias"},
	"aten._scaled_dot_product_cudnn_attention.default":     {"query", "key", "value", "attn_bias"},
	"aten.div.Tensor_mode":                                 {"self", "other"},
	"aten.floor_divide.default":                            {"self", "other"},
	"aten.fmod.Tensor":                                     {"self", "other"},
	"aten.remainder.Tensor":                                {"self", "other"},
	"aten.atan2.default":                                   {"self", "other"},
	"aten.clamp_min.Tensor":                                {"self", "min"},
	"aten.clamp_max.Tensor":                                {"self", "max"},
	"aten.bitwise_and.Tensor":                              {"self", "other"},
	"aten.bitwise_or.Tensor":                               {"self", "other"},
	"aten.bitwise_xor.Tensor":                              {"self", "other"},
	"aten.baddbmm.default":                                 {"self", "batch1", "batch2"},
	"aten.addbmm.default":                                  {"self", "batch1", "batch2"},
	"aten.fill.Tensor":                                     {"self", "value"},
	"aten.fill_.Tensor":                                    {"self", "value"},
	"aten.copy.default":                                    {"self", "src"},
	"aten.copy_.default":                                   {"self", "src"},
	"aten.where.ScalarSelf":                                {"condition", "other"},
	"aten.where.ScalarOther":                               {"condition", "self"},
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
	"baddbmm": {"beta", "alpha"}, "addbmm": {"beta", "alpha"},
	"clamp_min": {"min"}, "clamp_max": {"max"}, "floor_divide": {"other"},
	"fmod": {"other"}, "remainder": {"other"}, "bitwise_and": {"other"}, "bitwise_or": {"other"},
	"bitwise_xor": {"other"}, "linalg_vector_norm": {"ord"}, "scatter": {"value"},
	"var": {"correction"}, "std": {"correction"}, "var_mean": {"correction"}, "std_mean": {"correction"},
	"new_full": {"fill_value"}, "fill_": {"value"}, "masked_fill_": {"value"},
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
