package cli

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/trtc-dev/trtc/internal/safefile"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/trtc-dev/trtc/pkg/bundle"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/frontend"
	"github.com/trtc-dev/trtc/pkg/graphio"
	"github.com/trtc-dev/trtc/pkg/ir"
	bundlepb "github.com/trtc-dev/trtc/proto/bundle"
)

// InspectOptions are `trtc inspect`'s inputs.
type InspectOptions struct {
	IO     *IO
	Path   string
	Output string
	Format string
	// Export writes the parsed graph as a trtc graph protobuf (.pb).
	Export string
	// Layers lists every engine segment's layers (inspect_layers.go).
	Layers bool
}

// NewCmdInspect builds `trtc inspect`.
func NewCmdInspect(streams *IO, runF func(*InspectOptions) error) *cobra.Command {
	opts := &InspectOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "inspect MODEL|BUNDLE",
		Short: "Show a model's inputs, outputs, opsets and op counts, or a bundle's manifest",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Path = args[0]
			if opts.Output != "text" && opts.Output != "json" {
				return opts.IO.badValue("output", "must be text or json, not %q", opts.Output)
			}
			if runF != nil {
				return runF(opts)
			}
			return inspectRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringVar(&opts.Format, "format", "", "model format: onnx, pt2 or pb (default: detected)")
	cmd.Flags().StringVar(&opts.Export, "export", "", "also write the parsed graph as a trtc graph protobuf (.pb) to this file")
	cmd.Flags().BoolVar(&opts.Layers, "layers", false, "for a bundle: list every engine segment's layers with their tensors and settings")
	return cmd
}

func inspectRun(opts *InspectOptions) error {
	if isBundle(opts.Path) {
		b, err := bundle.Open(opts.Path)
		if err != nil {
			return withCode(ExitInput, err)
		}
		defer b.Close()
		if opts.Layers {
			return inspectLayers(opts, b)
		}
		return inspectBundle(opts, b)
	}
	if opts.Layers {
		return usageErrorf("--layers needs a bundle; %s is a model (compile it first)", opts.Path)
	}
	g, err := frontend.Load(opts.Path, opts.Format)
	if err != nil {
		return withCode(ExitInput, err)
	}
	if opts.Export != "" {
		if err := graphio.WriteFile(opts.Export, g); err != nil {
			return withCode(ExitInput, fmt.Errorf("writing %s: %w", opts.Export, err))
		}
	}
	return inspectModel(opts, g)
}

// ModelInfo is `inspect -o json` of a model.
type ModelInfo struct {
	Model    string           `json:"model"`
	Format   string           `json:"format"`
	Inputs   []ValueInfo      `json:"inputs"`
	Outputs  []ValueInfo      `json:"outputs"`
	Opsets   map[string]int64 `json:"opsets"`
	OpCounts map[string]int   `json:"op_counts"`
	Nodes    int              `json:"nodes"`
	Weights  int64            `json:"weight_bytes"`
}

// ValueInfo describes a graph input or output.
type ValueInfo struct {
	Name  string `json:"name"`
	DType string `json:"dtype"`
	Shape string `json:"shape"`
}

func inspectModel(opts *InspectOptions, g *ir.Graph) error {
	info := ModelInfo{Model: opts.Path, Format: g.Format, Opsets: g.Opsets, OpCounts: g.OpCounts(), Nodes: len(g.Nodes)}
	vi := func(names []string) []ValueInfo {
		out := []ValueInfo{}
		for _, n := range names {
			v := g.Value(n)
			if v == nil {
				out = append(out, ValueInfo{Name: n})
				continue
			}
			out = append(out, ValueInfo{n, v.DType.String(), v.Shape.String()})
		}
		return out
	}
	info.Inputs, info.Outputs = vi(g.Inputs), vi(g.Outputs)
	for _, v := range g.Values {
		if v.Const != nil {
			info.Weights += int64(len(v.Const.Data))
		}
	}
	if opts.Output == "json" {
		return writeJSON(opts.IO.Out, info)
	}
	w := opts.IO.Out
	fmt.Fprintf(w, "model:   %s (%s), %d nodes, %d bytes of weights\n", info.Model, info.Format, info.Nodes, info.Weights)
	var opsets []string
	for _, d := range ir.SortedKeys(info.Opsets) {
		name := d
		if name == "" {
			name = "ai.onnx"
		}
		opsets = append(opsets, fmt.Sprintf("%s %d", name, info.Opsets[d]))
	}
	fmt.Fprintf(w, "opsets:  %s\n", strings.Join(opsets, ", "))
	for _, v := range info.Inputs {
		fmt.Fprintf(w, "input:   %s %s%s\n", v.Name, v.DType, v.Shape)
	}
	for _, v := range info.Outputs {
		fmt.Fprintf(w, "output:  %s %s%s\n", v.Name, v.DType, v.Shape)
	}
	fmt.Fprintln(w, "ops:")
	ops := ir.SortedKeys(info.OpCounts)
	sort.SliceStable(ops, func(i, j int) bool { return info.OpCounts[ops[i]] > info.OpCounts[ops[j]] })
	for _, op := range ops {
		fmt.Fprintf(w, "  %-32s %d\n", op, info.OpCounts[op])
	}
	return nil
}

func inspectBundle(opts *InspectOptions, b *bundle.Bundle) error {
	m := b.Manifest()
	if opts.Output == "json" {
		return writeJSON(opts.IO.Out, bundleInfo(opts.Path, m))
	}
	w := opts.IO.Out
	fmt.Fprintf(w, "bundle:  %s (format %d, trtc %s)\n", opts.Path, m.FormatVersion, m.TrtcVersion)
	if s := m.Source; s != nil {
		fmt.Fprintf(w, "source:  %s (%s, %d bytes, sha256 %s)\n", s.Name, s.Format, s.Size, hex.EncodeToString(s.Sha256))
	}
	if s := m.Settings; s != nil {
		fmt.Fprintf(w, "settings: backend %s, min block size %d, fallback ops %v, require full compilation %v\n",
			s.Backend, s.MinBlockSize, s.FallbackOps, s.RequireFullCompilation)
		if s.TensorrtVersion != "" {
			fmt.Fprintf(w, "target:  TensorRT %s\n", s.TensorrtVersion)
		}
	}
	for _, v := range m.Inputs {
		fmt.Fprintf(w, "input:   %s %v%v\n", v.Name, ir.DType(v.Dtype), compiler.ShapeFromProto(v.Dims))
	}
	for _, v := range m.Outputs {
		fmt.Fprintf(w, "output:  %s %v%v\n", v.Name, ir.DType(v.Dtype), compiler.ShapeFromProto(v.Dims))
	}
	for _, pl := range m.Plugins {
		fmt.Fprintf(w, "plugin:  %s (build ID %s, sha256 %s)\n", pl.Path, pl.BuildId, hex.EncodeToString(pl.Sha256))
		if len(pl.FallbackOps) > 0 {
			fmt.Fprintf(w, "         needed at run time by fallback ops: %s\n", strings.Join(pl.FallbackOps, ", "))
		}
		if len(pl.EngineOps) > 0 {
			fmt.Fprintf(w, "         converted into engines at compile time: %s\n", strings.Join(pl.EngineOps, ", "))
		}
	}
	for i, s := range m.Segments {
		switch k := s.Kind.(type) {
		case *bundlepb.Segment_Engine:
			e := k.Engine
			t := e.GetTarget()
			fmt.Fprintf(w, "segment %d: engine (%s %s), blob %d, %d node(s)\n", i, e.Backend, t.GetVersion(), e.Blob, len(e.Nodes))
			for _, bd := range e.Bindings {
				shape := ""
				if bd.ShapeTensor {
					shape = " (shape tensor, bound from host memory)"
				}
				fmt.Fprintf(w, "    %-6s %s%s\n", strings.TrimPrefix(bd.Direction.String(), "DIRECTION_"), bd.Value, shape)
			}
			writeProfiles(w, e)
		case *bundlepb.Segment_Fallback:
			f := k.Fallback
			fmt.Fprintf(w, "segment %d: fallback, subgraph blob %d, %d node(s), %d constant(s)\n", i, f.SubgraphBlob, len(f.Nodes), len(f.Constants))
			for _, n := range f.Nodes {
				fmt.Fprintf(w, "    %s (%s)\n", n.Name, n.Op)
			}
		}
	}
	fmt.Fprintln(w, "blobs:")
	for i, bl := range m.Blobs {
		fmt.Fprintf(w, "  %d %-9s offset %-10d length %-10d sha256 %s\n", i,
			strings.ToLower(strings.TrimPrefix(bl.Kind.String(), "BLOB_KIND_")), bl.Offset, bl.Length, hex.EncodeToString(bl.Sha256))
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// isBundle reports whether the file starts with the bundle magic.
func isBundle(path string) bool {
	f, _, err := safefile.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(bundle.Magic))
	_, err = io.ReadFull(f, head)
	return err == nil && string(head) == bundle.Magic
}
