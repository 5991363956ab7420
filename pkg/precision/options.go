package precision

import (
	"fmt"
	"sort"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Options are the precision settings of a compile (`trtc compile --fp16
// --bf16 --int8 --fp8 --strongly-typed --keep-fp32 --precision-constraints`).
// The zero value is a float32 compile: nothing is lowered.
type Options struct {
	// FP16, BF16, INT8 and FP8 are the types the builder may choose besides
	// float32, as trtexec's flags mean them. On a weakly typed TensorRT 10
	// network they become the builder flags kFP16, kBF16, kINT8 and kFP8;
	// on a strongly typed network FP16 or BF16 (at most one) is the type
	// the autocast pass lowers float32 compute to, and INT8/FP8 keep the
	// model's own Q/DQ layers (nothing is quantized that the model does not
	// quantize).
	FP16, BF16, INT8, FP8 bool
	// StronglyTyped asks TensorRT 10 for a strongly typed network (trtexec's
	// --stronglyTyped). TensorRT 11 and the reference backend have only
	// strongly typed networks.
	StronglyTyped bool
	// KeepFP32 are op types (Softmax, onnx.Softmax, aten.softmax.int) or
	// node names whose compute stays in float32.
	KeepFP32 []string
	// Constraints pin the compute type of matching nodes (trtexec's
	// --layerPrecisions with --precisionConstraints=obey).
	Constraints []Constraint

	// Calibration are inputs (by graph input name) the float32 graph is
	// observed on for the overflow rule (--calibration-input); inputs not
	// given are generated (Observe).
	Calibration map[string]*ir.Tensor

	// rulesOff turns the autocast accuracy rules off: every float32 node
	// not excluded by name is lowered. Only tests set it (export_test.go),
	// to show what the rules prevent.
	rulesOff bool
}

// Constraint pins nodes to a type: Name is a node name, an op type, or "*"
// for every node; Type is Float32, Float16 or BFloat16.
type Constraint struct {
	Name string
	Type ir.DType
}

func (c Constraint) String() string { return c.Name + ":" + TypeName(c.Type) }

// typeNames are the spellings --precision-constraints accepts (trtexec's).
var typeNames = map[string]ir.DType{
	"fp32": ir.Float32, "fp16": ir.Float16, "bf16": ir.BFloat16,
}

// TypeName is the short name of a compute type: fp32, fp16, bf16, int8,
// fp8; other dtypes print as ir names.
func TypeName(dt ir.DType) string {
	switch dt {
	case ir.Float32:
		return "fp32"
	case ir.Float16:
		return "fp16"
	case ir.BFloat16:
		return "bf16"
	case ir.Int8:
		return "int8"
	case ir.Float8E4M3FN:
		return "fp8"
	}
	return dt.String()
}

// ParseConstraint reads one NAME:TYPE entry of --precision-constraints
// (the last colon separates, so node names may hold colons).
func ParseConstraint(s string) (Constraint, error) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 || i == len(s)-1 {
		return Constraint{}, fmt.Errorf("%q: want NAME:TYPE, e.g. Softmax:fp32 or conv1:fp16 (NAME is a node name, an op type or *)", s)
	}
	name, t := strings.TrimSpace(s[:i]), strings.ToLower(strings.TrimSpace(s[i+1:]))
	dt, ok := typeNames[t]
	if !ok {
		return Constraint{}, fmt.Errorf("%q: unknown type %q (want fp32, fp16 or bf16)", s, s[i+1:])
	}
	return Constraint{Name: name, Type: dt}, nil
}

// Error is a bad precision setting; Flag names the flag at fault.
type Error struct {
	Flag string
	Msg  string
}

func (e *Error) Error() string { return "--" + e.Flag + ": " + e.Msg }

// Any says whether any reduced type was asked for.
func (o Options) Any() bool { return o.FP16 || o.BF16 || o.INT8 || o.FP8 }

// Flags lists the type flags set, as trtexec spells them: "fp16", "bf16",
// "int8", "fp8".
func (o Options) Flags() []string {
	var out []string
	for _, f := range []struct {
		on   bool
		name string
	}{{o.FP16, "fp16"}, {o.BF16, "bf16"}, {o.INT8, "int8"}, {o.FP8, "fp8"}} {
		if f.on {
			out = append(out, f.name)
		}
	}
	return out
}

// LowType is the float type the autocast pass lowers to: Float16 for
// --fp16, BFloat16 for --bf16, Undefined for neither (Validate refuses
// both on a strongly typed network).
func (o Options) LowType() ir.DType {
	switch {
	case o.FP16:
		return ir.Float16
	case o.BF16:
		return ir.BFloat16
	}
	return ir.Undefined
}

// Validate checks the settings on their own and for the network they will
// build: strong says whether it is strongly typed (TensorRT 11, the
// reference backend, or --strongly-typed). Every error names its flag.
func (o Options) Validate(strong bool) error {
	if strong && o.FP16 && o.BF16 {
		return &Error{"bf16", "a strongly typed network is autocast to one type: give --fp16 or --bf16, not both (both are builder flags only on a weakly typed TensorRT 10 network)"}
	}
	if !o.Any() {
		if len(o.KeepFP32) > 0 {
			return &Error{"keep-fp32", "has no effect without --fp16, --bf16, --int8 or --fp8 (everything is float32 already)"}
		}
		if len(o.Constraints) > 0 {
			return &Error{"precision-constraints", "has no effect without --fp16, --bf16, --int8 or --fp8 (everything is float32 already)"}
		}
	}
	seen := map[string]ir.DType{}
	for _, c := range o.Constraints {
		if c.Name == "" {
			return &Error{"precision-constraints", fmt.Sprintf("%q: empty name", c.String())}
		}
		switch c.Type {
		case ir.Float32:
		case ir.Float16:
			if !o.FP16 {
				return &Error{"precision-constraints", fmt.Sprintf("%s pins fp16, which needs --fp16", c)}
			}
		case ir.BFloat16:
			if !o.BF16 {
				return &Error{"precision-constraints", fmt.Sprintf("%s pins bf16, which needs --bf16", c)}
			}
		default:
			return &Error{"precision-constraints", fmt.Sprintf("%s: type must be fp32, fp16 or bf16", c)}
		}
		if prev, dup := seen[c.Name]; dup && prev != c.Type {
			return &Error{"precision-constraints", fmt.Sprintf("%q is pinned to both %s and %s", c.Name, TypeName(prev), TypeName(c.Type))}
		}
		seen[c.Name] = c.Type
	}
	for _, k := range o.KeepFP32 {
		if k == "" {
			return &Error{"keep-fp32", "empty name"}
		}
		if t, ok := seen[k]; ok && t != ir.Float32 {
			return &Error{"keep-fp32", fmt.Sprintf("%q is kept in float32 but --precision-constraints pins it to %s", k, TypeName(t))}
		}
	}
	return nil
}

// String is a one-line summary for logs and reports: "fp16,int8 strongly
// typed, keep-fp32 [Softmax], constraints [conv1:fp32]".
func (o Options) String() string {
	if !o.Any() {
		return "fp32"
	}
	s := strings.Join(o.Flags(), ",")
	if o.StronglyTyped {
		s += " strongly-typed"
	}
	if len(o.KeepFP32) > 0 {
		k := append([]string{}, o.KeepFP32...)
		sort.Strings(k)
		s += " keep-fp32 [" + strings.Join(k, ",") + "]"
	}
	if len(o.Constraints) > 0 {
		var cs []string
		for _, c := range o.Constraints {
			cs = append(cs, c.String())
		}
		s += " constraints [" + strings.Join(cs, ",") + "]"
	}
	return s
}
