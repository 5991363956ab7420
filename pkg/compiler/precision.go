package compiler

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/partition"
	"github.com/trtc-dev/trtc/pkg/precision"
)

// StronglyTyped says whether be builds strongly typed networks for o: the
// reference backend always does (it models TensorRT 11's networks, which
// are all strongly typed), the TensorRT backend from TensorRT 11 on or with
// --strongly-typed.
func StronglyTyped(be backend.Backend, o precision.Options) bool {
	if o.StronglyTyped || be == nil || be.Name() == "reference" {
		return true
	}
	if vr, ok := be.(backend.VersionReporter); ok {
		if v, err := vr.RuntimeVersion(); err == nil {
			major, _, _ := strings.Cut(v, ".")
			if n, err := strconv.Atoi(major); err == nil && n >= 11 {
				return true
			}
		}
	}
	return false
}

// BuildPrecision is what the builder is told of o: on a weakly typed
// network the type flags, and kOBEY_PRECISION_CONSTRAINTS when layers carry
// precisions (--keep-fp32, --precision-constraints); on a strongly typed one
// only that it is strongly typed (the network's casts and weights carry the
// types).
func BuildPrecision(be backend.Backend, o precision.Options) backend.PrecisionFlags {
	if StronglyTyped(be, o) {
		return backend.PrecisionFlags{StronglyTyped: true}
	}
	return backend.PrecisionFlags{FP16: o.FP16, BF16: o.BF16, INT8: o.INT8, FP8: o.FP8,
		ObeyConstraints: len(o.Constraints) > 0 || len(o.KeepFP32) > 0}
}

// autocast runs the precision stage on a prepared graph for a strongly
// typed network; nodes the registry would not convert stay float32.
func autocast(g *ir.Graph, model string, be backend.Backend, opts *Options, s *conversion.Settings) (*precision.Result, error) {
	if p := opts.Precision; (p.INT8 || p.FP8) && StronglyTyped(be, p) && !hasQDQ(g) {
		opts.Log.Warn().Str("stage", "precision").Strs("flags", p.Flags()).
			Msg("--int8/--fp8 on a strongly typed network keep the model's Q/DQ layers, and this model has none: nothing runs in int8 or fp8 (quantize the model, e.g. with ONNX Runtime's or ModelOpt's tools)")
	}
	if !StronglyTyped(be, opts.Precision) || opts.Precision.LowType() == ir.Undefined {
		// No autocast; the names still must name something (weakly typed
		// networks pin their layers).
		warnUnmatched(opts, model, precision.FindUnmatched(g, opts.Precision))
		return nil, nil
	}
	opts.progress("precision", 0, 0)
	start := time.Now()
	reg := opts.Registry
	convertible := func(n *ir.Node, in, out []*ir.Value) bool {
		if reg == nil {
			return true
		}
		cn := conversion.NewNode(g, n)
		cn.In, cn.Out = in, out
		return reg.Decide(cn, s).Converter != nil
	}
	res, err := precision.Autocast(g, opts.Precision, precision.Env{Convertible: convertible, Seed: 1})
	if err != nil {
		return res, fmt.Errorf("%s: %w", model, err)
	}
	warnUnmatched(opts, model, res.Unmatched)
	switch {
	case res.ObserveError != "" && res.Observed:
		opts.Log.Warn().Str("stage", "precision").Str("error", res.ObserveError).
			Msg("some nodes could not run on the observation inputs; the overflow rule does not see them (--calibration-input gives real inputs; --keep-fp32 keeps nodes)")
	case res.ObserveError != "":
		opts.Log.Warn().Str("stage", "precision").Str("error", res.ObserveError).
			Msg("could not run the float32 graph to observe magnitudes; the overflow rule is off (use --keep-fp32 for nodes that overflow)")
	}
	opts.Log.Info().Str("stage", "precision").Str("type", precision.TypeName(res.Type)).Int("lowered", res.Lowered()).
		Int("float_nodes", len(res.Decisions)).Int("casts", res.Casts).Int("weights", res.Weights).
		Dur("elapsed_ms", time.Since(start)).Msg("autocast")
	for _, d := range res.Decisions {
		if d.Type == ir.Float32 {
			opts.Log.Debug().Str("node", d.Node).Str("op", d.Op).Str("rule", d.Rule).Str("detail", d.Detail).Msg("kept in float32")
		}
	}
	return res, nil
}

// NodePrecisionSetter is a network whose layers can be pinned to a type
// per model node (weakly typed TensorRT 10 networks: ILayer::setPrecision
// and setOutputType, kept with kOBEY_PRECISION_CONSTRAINTS).
type NodePrecisionSetter interface {
	SetNodePrecision(node string, dt ir.DType) (int, error)
}

// constrainLayers pins, on a weakly typed network, the layers of each node
// that --keep-fp32 or --precision-constraints names. A strongly typed
// network needs nothing here: the autocast pass already typed its nodes.
func constrainLayers(net network.Network, seg *partition.Segment, opts Options) error {
	if opts.Build.Precision.StronglyTyped || !opts.Build.Precision.ObeyConstraints {
		return nil
	}
	ps, ok := net.(NodePrecisionSetter)
	if !ok {
		return fmt.Errorf("backend network %T cannot pin layer precisions (--keep-fp32, --precision-constraints)", net)
	}
	for _, n := range seg.Nodes {
		dt, ok := opts.Precision.NodeType(n)
		if !ok {
			continue
		}
		if _, err := ps.SetNodePrecision(n.Name, dt); err != nil {
			return err
		}
	}
	return nil
}

func warnUnmatched(opts *Options, model string, us []precision.Unmatched) {
	for _, u := range us {
		opts.Log.Warn().Str("flag", "--"+u.Flag).Str("name", u.Name).Strs("closest", u.Closest).
			Msgf("--%s %q names no node or op in %s; closest: %s", u.Flag, u.Name, model, strings.Join(u.Closest, ", "))
	}
}

// hasQDQ says whether g quantizes anything itself.
func hasQDQ(g *ir.Graph) bool {
	for _, n := range g.Nodes {
		switch n.OpType() {
		case "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv", "QLinearMatMul",
			"aten.quantize_per_tensor.default", "aten.dequantize.self":
			return true
		}
	}
	return false
}
