package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/trtc-dev/trtc/pkg/runtime"
)

// BenchOptions are `trtc bench`'s inputs.
type BenchOptions struct {
	IO     *IO
	Bundle string
	// Inputs are --input FILE or NAME=FILE; inputs not given are
	// generated from Seed within InputRanges, as compare does.
	Inputs      []string
	Seed        int
	InputRanges []string
	Warmup      int
	Iterations  int
	// Duration is the least time, in seconds, the timed runs take: bench
	// runs at least Iterations and at least Duration.
	Duration float64
	Output   string // text or json
	Device   string
	Plugins  []string
	// TRTPluginLibs are TensorRT plugin libraries (--trt-plugin-lib).
	TRTPluginLibs []string

	ctx context.Context // cancelled by SIGINT/SIGTERM
}

// NewCmdBench builds `trtc bench`.
func NewCmdBench(streams *IO, runF func(*BenchOptions) error) *cobra.Command {
	opts := &BenchOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "bench BUNDLE [--input NAME=FILE ...] [--warmup N] [--iterations N] [--duration S]",
		Short: "Time a bundle: per-iteration latency percentiles and throughput, end to end and per segment",
		Long: `Bench runs BUNDLE --warmup times untimed, then at least --iterations times
and for at least --duration seconds, timing every iteration, and prints
the latency's min, mean, median, 90th and 99th percentile and max, the
throughput, and each segment's median latency (trtexec's performance
summary is the model).

End-to-end latency is the host's wall time of one run, from the check of
the inputs to the outputs in host memory. Each segment is timed with its
engine's clock: the host's monotonic clock for reference engines and
fallback segments; CUDA events for TensorRT engines (a trtc built with
TensorRT), whose span covers the copies of the engine's inputs from host
memory and its execution; the copy of a device value that a fallback
segment reads counts in that fallback segment. Percentiles are nearest
rank; the median of an even count is the mean of the middle two.

Inputs not given with --input are generated from --seed within
--input-range, as trtc compare generates them; a dynamic dim takes the
opt size of the profile of the engine reading the input, else its range's
lower bound, else 1 (with a warning).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Bundle = args[0]
			opts.ctx = cmd.Context()
			opts.Plugins = append(opts.Plugins, streams.extraPlugins...)
			if runF != nil {
				return runF(opts)
			}
			return benchRun(opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&opts.Inputs, "input", "i", nil, "input tensor FILE or NAME=FILE, .npy or TensorProto .pb (repeatable; inputs not given are generated)")
	f.IntVar(&opts.Seed, "seed", 1, "seed of the generated inputs")
	f.StringArrayVar(&opts.InputRanges, "input-range", nil, "range of generated values, LO,HI for every input or NAME=LO,HI for one (repeatable; default 0,1)")
	f.IntVar(&opts.Warmup, "warmup", 2, "untimed runs before the timed ones")
	f.IntVar(&opts.Iterations, "iterations", 10, "fewest timed runs")
	f.Float64Var(&opts.Duration, "duration", 0, "fewest seconds of timed runs (0: --iterations alone decides)")
	f.StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	f.StringVar(&opts.Device, "device", "", "GPU to run engines on: an index as `trtc devices` lists them, or a UUID (default: GPU 0)")
	f.StringArrayVar(&opts.Plugins, "plugin", nil, "plugin .so defining ops the bundle runs (repeatable)")
	f.StringArrayVar(&opts.TRTPluginLibs, "trt-plugin-lib", nil, "TensorRT plugin library the bundle's TensorRT engines need (repeatable)")
	return cmd
}

// BenchResult is `trtc bench -o json`.
type BenchResult struct {
	Iterations     int            `json:"iterations"`
	Warmup         int            `json:"warmup"`
	LatencyMs      LatencyStats   `json:"latency_ms"`
	ThroughputPerS float64        `json:"throughput_per_s"`
	Segments       []SegmentBench `json:"segments"`
}

// LatencyStats are latencies in milliseconds.
type LatencyStats struct {
	Min    float64 `json:"min"`
	Mean   float64 `json:"mean"`
	Median float64 `json:"median"`
	P90    float64 `json:"p90"`
	P99    float64 `json:"p99"`
	Max    float64 `json:"max"`
}

// SegmentBench is one segment's timing.
type SegmentBench struct {
	Index     int           `json:"index"`
	Kind      string        `json:"kind"`
	LatencyMs SegmentMedian `json:"latency_ms"`
	clock     string
	describe  string
}

// SegmentMedian is a segment's median latency in milliseconds.
type SegmentMedian struct {
	Median float64 `json:"median"`
}

// maxBenchIterations bounds the timed runs, whose times bench keeps (8
// bytes per run and segment): --iterations above it is refused, and a
// --duration that would need more stops there with a warning.
const maxBenchIterations = 1_000_000

func benchRun(opts *BenchOptions) error {
	streams := opts.IO
	if opts.Iterations < 1 || opts.Iterations > maxBenchIterations {
		return streams.badValue("iterations", "must be 1..%d, got %d", maxBenchIterations, opts.Iterations)
	}
	if opts.Warmup < 0 {
		return streams.badValue("warmup", "must be 0 or more, got %d", opts.Warmup)
	}
	if opts.Duration < 0 || math.IsNaN(opts.Duration) || math.IsInf(opts.Duration, 0) || opts.Duration > math.MaxInt64/float64(time.Second) {
		return streams.badValue("duration", "must be a number of seconds >= 0, got %v", opts.Duration)
	}
	if opts.Output != "text" && opts.Output != "json" {
		return streams.badValue("output", "must be text or json, not %q", opts.Output)
	}
	ranges, err := parseInputRanges(streams, opts.InputRanges)
	if err != nil {
		return err
	}
	if _, err := loadRegistry(opts.Plugins, streams.Log); err != nil {
		return err
	}
	ropts := runtime.Options{TRTPluginLibs: opts.TRTPluginLibs}
	if opts.Device != "" {
		if ropts.GPU, err = selectDevice(streams, opts.Device, ""); err != nil {
			return err
		}
	}
	prog, err := openProgram(opts.Bundle, ropts)
	if err != nil {
		return err
	}
	defer prog.Close()
	inputs, _, err := prepareInputs(streams, opts.Bundle, opts.Inputs, ranges, opts.Seed, prog, nil)
	if err != nil {
		return err
	}
	disp := newProgress(streams, "bench "+filepath.Base(opts.Bundle))
	defer disp.done()
	for i := 0; i < opts.Warmup; i++ {
		disp.stage("warm-up", i, opts.Warmup)
		if _, err := prog.Run(inputs); err != nil {
			return runError(err)
		}
	}
	nseg := len(prog.Segments())
	var total []time.Duration
	perSeg := make([][]time.Duration, nseg)
	var clocks []string
	minDur := time.Duration(opts.Duration * float64(time.Second))
	start := time.Now()
	for len(total) < opts.Iterations || time.Now().Sub(start) < minDur {
		if len(total) == maxBenchIterations {
			streams.Log.Warn().Int("iterations", len(total)).Msgf("stopped after %d timed runs, short of --duration %gs: bench keeps every run's times, and no more", len(total), opts.Duration)
			break
		}
		if err := interrupted(opts.ctx); err != nil {
			return err
		}
		disp.stage("iteration", len(total), opts.Iterations)
		_, tm, err := prog.RunTimed(inputs)
		if err != nil {
			return runError(err)
		}
		total = append(total, tm.Total)
		for i, d := range tm.Segments {
			perSeg[i] = append(perSeg[i], d)
		}
		clocks = tm.Clocks
	}
	wall := time.Now().Sub(start)
	disp.done()
	res := &BenchResult{Iterations: len(total), Warmup: opts.Warmup, LatencyMs: latencyStats(total), Segments: []SegmentBench{}}
	if wall > 0 {
		res.ThroughputPerS = float64(len(total)) / wall.Seconds()
	}
	desc := prog.Segments()
	for i := range nseg {
		res.Segments = append(res.Segments, SegmentBench{Index: i, Kind: prog.SegmentKind(i),
			LatencyMs: SegmentMedian{Median: latencyStats(perSeg[i]).Median}, clock: clocks[i], describe: desc[i]})
	}
	streams.Log.Info().Str("stage", "bench").Int("iterations", res.Iterations).Float64("median_ms", res.LatencyMs.Median).
		Float64("throughput_per_s", res.ThroughputPerS).Msg("benchmarked bundle")
	if opts.Output == "json" {
		return writeJSON(streams.Out, res)
	}
	writeBenchText(streams.Out, opts.Bundle, res, wall, prog.Transfers(), opts.Warmup+res.Iterations)
	return nil
}

// latencyStats summarizes durations in milliseconds: nearest-rank
// percentiles, the median of an even count the mean of the middle two.
func latencyStats(ds []time.Duration) LatencyStats {
	if len(ds) == 0 {
		return LatencyStats{}
	}
	ms := make([]float64, len(ds))
	sum := 0.0
	for i, d := range ds {
		ms[i] = float64(d) / float64(time.Millisecond)
		sum += ms[i]
	}
	sort.Float64s(ms)
	n := len(ms)
	median := ms[n/2]
	if n%2 == 0 {
		median = (ms[n/2-1] + ms[n/2]) / 2
	}
	return LatencyStats{Min: ms[0], Mean: sum / float64(n), Median: median,
		P90: percentile(ms, 90), P99: percentile(ms, 99), Max: ms[n-1]}
}

// percentile is the nearest-rank p-th percentile of sorted values: the
// smallest value with at least p% of the values at or below it.
func percentile(sorted []float64, p float64) float64 {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// writeBenchText prints the summary in the manner of trtexec's
// "Performance summary".
func writeBenchText(w io.Writer, bundle string, r *BenchResult, wall time.Duration, tr runtime.Transfers, runs int) {
	l := r.LatencyMs
	fmt.Fprintf(w, "=== Performance summary: %s ===\n", bundle)
	fmt.Fprintf(w, "Iterations: %d timed, after %d warm-up run(s); total walltime %.3f s\n", r.Iterations, r.Warmup, wall.Seconds())
	fmt.Fprintf(w, "Throughput: %.4g inferences/s\n", r.ThroughputPerS)
	fmt.Fprintf(w, "Latency: min = %.4g ms, max = %.4g ms, mean = %.4g ms, median = %.4g ms, percentile(90%%) = %.4g ms, percentile(99%%) = %.4g ms\n",
		l.Min, l.Max, l.Mean, l.Median, l.P90, l.P99)
	for _, s := range r.Segments {
		fmt.Fprintf(w, "Segment %d (%s; %s clock): median = %.4g ms\n", s.Index, s.describe, s.clock, s.LatencyMs.Median)
	}
	if tr.H2D > 0 || tr.D2H > 0 {
		fmt.Fprintf(w, "Host/device copies per run: H2D %d bytes, D2H %d bytes\n", tr.H2D/int64(runs), tr.D2H/int64(runs))
	}
}
