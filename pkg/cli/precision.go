package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/precision"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// PrecisionFlags are the precision flags of `trtc compile` (and of every
// command that compiles: embed it, call addPrecisionFlags on the command's
// flags and Options when it runs).
type PrecisionFlags struct {
	FP16, BF16, INT8, FP8 bool
	StronglyTyped         bool
	KeepFP32              []string
	PrecisionConstraints  []string
	// CalibrationInputs are NAME=FILE (.npy or TensorProto .pb) inputs the
	// autocast pass observes the float32 graph on.
	CalibrationInputs []string
}

// addPrecisionFlags declares the precision flags on f.
func addPrecisionFlags(f *pflag.FlagSet, p *PrecisionFlags) {
	f.BoolVar(&p.FP16, "fp16", false, "let engines compute in float16 (trtexec's --fp16): builder flag on weakly typed TensorRT 10 networks, else the autocast pass lowers float32 compute (docs/precision.md)")
	f.BoolVar(&p.BF16, "bf16", false, "let engines compute in bfloat16 (trtexec's --bf16; see --fp16)")
	f.BoolVar(&p.INT8, "int8", false, "let engines compute in int8 (trtexec's --int8): builder flag on weakly typed TensorRT 10 networks; strongly typed networks keep the model's Q/DQ layers")
	f.BoolVar(&p.FP8, "fp8", false, "let engines compute in float8 (trtexec's --fp8; see --int8)")
	f.BoolVar(&p.StronglyTyped, "strongly-typed", false, "build strongly typed TensorRT 10 networks, autocast by trtc (TensorRT 11 and the reference backend always are)")
	f.StringSliceVar(&p.KeepFP32, "keep-fp32", nil, "op types or node names whose compute stays float32 (Softmax,onnx.Exp,layer_norm_1)")
	f.StringArrayVar(&p.CalibrationInputs, "calibration-input", nil, "NAME=FILE input (.npy or .pb) the autocast pass runs the float32 model on to find values that overflow float16 (repeatable; default: generated inputs)")
	f.StringSliceVar(&p.PrecisionConstraints, "precision-constraints", nil, "pin compute types NAME:TYPE[,...], NAME a node name, an op type or *, TYPE fp32, fp16 or bf16 (trtexec's --layerPrecisions with --precisionConstraints=obey)")
}

// Options parses and checks the flags for a build on backend be (nil: the
// reference backend). Errors are usage errors (exit 2, or 3 from a config
// file) naming the flag.
func (p *PrecisionFlags) Options(streams *IO, be backend.Backend) (precision.Options, error) {
	o := precision.Options{FP16: p.FP16, BF16: p.BF16, INT8: p.INT8, FP8: p.FP8, StronglyTyped: p.StronglyTyped,
		KeepFP32: splitList(p.KeepFP32)}
	for _, e := range splitList(p.PrecisionConstraints) {
		c, err := precision.ParseConstraint(e)
		if err != nil {
			return o, streams.badValue("precision-constraints", "%v", err)
		}
		o.Constraints = append(o.Constraints, c)
	}
	for _, spec := range p.CalibrationInputs {
		name, file, ok := strings.Cut(spec, "=")
		if !ok || name == "" || file == "" {
			return o, streams.badValue("calibration-input", "%q: want NAME=FILE", spec)
		}
		if _, dup := o.Calibration[name]; dup {
			return o, streams.badValue("calibration-input", "input %q is given twice", name)
		}
		t, _, err := tensorio.ReadAuto(file)
		if err != nil {
			return o, withFields(withCode(ExitInput, fmt.Errorf("--calibration-input %s: %w", name, err)), "tensor", name, "file", file)
		}
		if o.Calibration == nil {
			o.Calibration = map[string]*ir.Tensor{}
		}
		o.Calibration[name] = t
	}
	if len(o.Calibration) > 0 && o.LowType() == ir.Undefined {
		return o, streams.badValue("calibration-input", "has no effect without --fp16 or --bf16")
	}
	if err := o.Validate(compiler.StronglyTyped(be, o)); err != nil {
		var pe *precision.Error
		if errors.As(err, &pe) {
			return o, streams.badValue(pe.Flag, "%s", pe.Msg)
		}
		return o, usageErrorf("%v", err)
	}
	return o, nil
}
