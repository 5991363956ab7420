package compiler

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
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
	if !StronglyTyped(be, opts.Precision) || opts.Precision.LowType() == ir.Undefined {
		return nil, nil
	}
	opts.progress("precision", 0, 0)
	start := time.Now()
	reg := opts.Registry
	convertible := func(n *ir.Node) bool {
		if reg == nil {
			return true
		}
		return reg.Decide(conversion.NewNode(g, n), s).Converter != nil
	}
	res, err := precision.Autocast(g, opts.Precision, precision.Env{Convertible: convertible, Seed: 1})
	if err != nil {
		return res, fmt.Errorf("%s: %w", model, err)
	}
	for _, u := range res.Unmatched {
		opts.Log.Warn().Str("flag", "--"+u.Flag).Str("name", u.Name).Strs("closest", u.Closest).
			Msgf("--%s %q names no node or op in %s; closest: %s", u.Flag, u.Name, model, strings.Join(u.Closest, ", "))
	}
	if res.ObserveError != "" {
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
