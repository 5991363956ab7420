package bundle

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strings"

	bundlepb "github.com/trtc-dev/trtc/proto/bundle"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// maxProblems bounds how many problems one error lists.
const maxProblems = 10

// problems collects everything wrong with a manifest, so that one error
// names all of it rather than the first thing found.
type problems struct {
	list  []string
	count int
}

func (p *problems) addf(format string, args ...any) {
	p.count++
	if len(p.list) < maxProblems {
		p.list = append(p.list, fmt.Sprintf(format, args...))
	}
}

func (p *problems) ok() bool { return p.count == 0 }

func (p *problems) err() error {
	if p.count == 0 {
		return nil
	}
	msg := strings.Join(p.list, "; ")
	if p.count > len(p.list) {
		msg += fmt.Sprintf("; and %d more problems", p.count-len(p.list))
	}
	return errors.New(msg)
}

// kindName is a blob kind in messages: "engine", "subgraph", "constant".
func kindName(k bundlepb.BlobKind) string {
	if s, ok := bundlepb.BlobKind_name[int32(k)]; ok && k != bundlepb.BlobKind_BLOB_KIND_UNSPECIFIED {
		return strings.ToLower(strings.TrimPrefix(s, "BLOB_KIND_"))
	}
	return fmt.Sprintf("kind %d", int32(k))
}

// checkLayout checks where the blobs lie: within [HeaderSize, manifestOffset),
// aligned, in index order and not overlapping.
func checkLayout(p *problems, blobs []*bundlepb.Blob, manifestOffset uint64) {
	end := uint64(HeaderSize)
	for i, b := range blobs {
		where := fmt.Sprintf("blob %d (%s)", i, kindName(b.GetKind()))
		if _, ok := bundlepb.BlobKind_name[int32(b.GetKind())]; !ok || b.GetKind() == bundlepb.BlobKind_BLOB_KIND_UNSPECIFIED {
			p.addf("%s: unknown blob kind", where)
		}
		if len(b.GetSha256()) != sha256.Size {
			p.addf("%s: sha256 is %d bytes, want %d", where, len(b.GetSha256()), sha256.Size)
		}
		a := b.GetAlignment()
		if a < BlobAlignment || bits.OnesCount32(a) != 1 {
			p.addf("%s: alignment %d is not a power of two of at least %d", where, a, BlobAlignment)
			a = BlobAlignment
		}
		off, n := b.GetOffset(), b.GetLength()
		switch {
		case off%uint64(a) != 0 || off%BlobAlignment != 0:
			p.addf("%s: offset %d is not aligned to %d", where, off, a)
		case off < end:
			p.addf("%s: offset %d overlaps the header or the previous blob (which ends at %d)", where, off, end)
		case off > manifestOffset || n > manifestOffset-off:
			p.addf("%s: bytes [%d, %d) run past the blob area, which ends at %d", where, off, off+n, manifestOffset)
		default:
			end = off + n
		}
	}
}

// checkManifest checks a manifest's content: required fields, names, blob
// references, and that the segments' data flow is complete and acyclic.
func checkManifest(p *problems, m *bundlepb.Manifest) {
	if m.GetTrtcVersion() == "" {
		p.addf("trtc_version is empty")
	}
	checkSource(p, m.GetSource())

	graphInputs := checkGraphValues(p, "input", m.GetInputs())
	checkGraphValues(p, "output", m.GetOutputs())
	checkSettings(p, m.GetSettings(), graphInputs)
	checkPlugins(p, m.GetPlugins())
	for i, l := range m.GetTrtPluginLibs() {
		if l.GetPath() == "" {
			p.addf("TensorRT plugin library %d: path is empty", i)
		}
		if len(l.GetSha256()) != sha256.Size {
			p.addf("TensorRT plugin library %d (%q): sha256 is %d bytes, want %d", i, l.GetPath(), len(l.GetSha256()), sha256.Size)
		}
	}

	f := flow{
		p:        p,
		blobs:    m.GetBlobs(),
		used:     make([]bool, len(m.GetBlobs())),
		producer: map[string]string{},
		nodes:    map[string]int{},
	}
	f.pinned = map[string]bool{}
	for _, v := range m.GetInputs() {
		if v.GetName() != "" {
			f.producer[v.GetName()] = "a graph input"
			f.pinned[v.GetName()] = v.GetPinned()
		}
	}
	for i, s := range m.GetSegments() {
		switch k := s.GetKind().(type) {
		case *bundlepb.Segment_Engine:
			f.engine(i, k.Engine)
		case *bundlepb.Segment_Fallback:
			f.fallback(i, k.Fallback)
		default:
			p.addf("segment %d: neither engine nor fallback (written by a newer trtc?)", i)
		}
	}
	for _, v := range m.GetOutputs() {
		if _, ok := f.producer[v.GetName()]; !ok && v.GetName() != "" {
			p.addf("graph output %q is produced by no segment and is not a graph input", v.GetName())
		}
	}
	for i, used := range f.used {
		if !used {
			p.addf("blob %d (%s) is used by no segment", i, kindName(m.GetBlobs()[i].GetKind()))
		}
	}
}

// checkPlugins checks the plugin records: each names its file once, with a
// build ID, a SHA-256 and at least one op, and no op comes from two.
func checkPlugins(p *problems, plugins []*bundlepb.Plugin) {
	paths := map[string]bool{}
	opOwner := map[string]string{}
	for i, pl := range plugins {
		where := fmt.Sprintf("plugin %d (%q)", i, pl.GetPath())
		if pl.GetPath() == "" {
			p.addf("plugin %d: path is empty", i)
		}
		if paths[pl.GetPath()] {
			p.addf("%s: recorded twice", where)
		}
		paths[pl.GetPath()] = true
		if pl.GetBuildId() == "" {
			p.addf("%s: build ID is empty", where)
		}
		if len(pl.GetSha256()) != sha256.Size {
			p.addf("%s: sha256 is %d bytes, want %d", where, len(pl.GetSha256()), sha256.Size)
		}
		if len(pl.GetFallbackOps())+len(pl.GetEngineOps()) == 0 {
			p.addf("%s: lists no ops", where)
		}
		for _, op := range append(append([]string{}, pl.GetFallbackOps()...), pl.GetEngineOps()...) {
			if prev, ok := opOwner[op]; ok && prev != pl.GetPath() {
				p.addf("%s: op %s is also recorded for plugin %q", where, op, prev)
			}
			opOwner[op] = pl.GetPath()
		}
	}
}

func checkSource(p *problems, s *bundlepb.SourceModel) {
	if s == nil {
		p.addf("source model is missing")
		return
	}
	if s.GetName() == "" {
		p.addf("source model has no name")
	} else if strings.ContainsAny(s.GetName(), `/\`) {
		p.addf("source model name %q is a path; want its base name", s.GetName())
	}
	if len(s.GetSha256()) != sha256.Size {
		p.addf("source model sha256 is %d bytes, want %d", len(s.GetSha256()), sha256.Size)
	}
	switch s.GetFormat() {
	case bundlepb.ModelFormat_MODEL_FORMAT_ONNX, bundlepb.ModelFormat_MODEL_FORMAT_ATEN:
	default:
		p.addf("source model format %v is not onnx or aten", s.GetFormat())
	}
}

// checkGraphValues checks the graph's inputs or outputs and returns their
// names.
func checkGraphValues(p *problems, what string, vals []*bundlepb.GraphValue) map[string]bool {
	names := map[string]bool{}
	for i, v := range vals {
		where := fmt.Sprintf("graph %s %d (%q)", what, i, v.GetName())
		if v.GetName() == "" {
			p.addf("graph %s %d has no name", what, i)
		} else if names[v.GetName()] {
			p.addf("%s: duplicate name", where)
		}
		names[v.GetName()] = true
		if dt := ir.DType(v.GetDtype()); !dt.Supported() {
			p.addf("%s: dtype %v is not one trtc supports", where, dt)
		}
		syms := checkDims(p, where, v.GetDims())
		if v.GetPinned() || len(v.GetPinnedValues()) > 0 {
			checkPinned(p, what, where, v)
		}
		seen := map[string]bool{}
		for _, r := range v.GetRanges() {
			switch {
			case !syms[r.GetSymbol()]:
				p.addf("%s: range for symbol %q, which no dim uses", where, r.GetSymbol())
			case seen[r.GetSymbol()]:
				p.addf("%s: two ranges for symbol %q", where, r.GetSymbol())
			}
			seen[r.GetSymbol()] = true
			if r.Min != nil && r.GetMin() < 0 {
				p.addf("%s: symbol %q has min %d < 0", where, r.GetSymbol(), r.GetMin())
			}
			if r.Min != nil && r.Max != nil && r.GetMin() > r.GetMax() {
				p.addf("%s: symbol %q has min %d > max %d", where, r.GetSymbol(), r.GetMin(), r.GetMax())
			}
		}
	}
	return names
}

// checkPinned checks a value-pinned graph input: an int32 or int64 input
// with static dims and one value per element.
func checkPinned(p *problems, what, where string, v *bundlepb.GraphValue) {
	dt := ir.DType(v.GetDtype())
	static := true
	for _, d := range v.GetDims() {
		if _, sym := d.GetKind().(*bundlepb.Dim_Symbol); sym {
			static = false
		}
	}
	switch {
	case what != "input":
		p.addf("%s: only a graph input can be pinned", where)
	case !v.GetPinned():
		p.addf("%s: has pinned_values but is not pinned", where)
	case dt != ir.Int32 && dt != ir.Int64:
		p.addf("%s: pinned, but dtype %v is not int32 or int64", where, dt)
	case !static:
		p.addf("%s: pinned, but its dims are not static", where)
	default:
		n := int64(1)
		for _, d := range v.GetDims() {
			n *= d.GetSize()
		}
		if n != int64(len(v.GetPinnedValues())) {
			p.addf("%s: pinned to %d value(s), but its dims hold %d", where, len(v.GetPinnedValues()), n)
		}
	}
}

// checkDims checks a symbolic shape and returns the symbols it uses.
func checkDims(p *problems, where string, dims []*bundlepb.Dim) map[string]bool {
	syms := map[string]bool{}
	for j, d := range dims {
		switch k := d.GetKind().(type) {
		case *bundlepb.Dim_Size:
			if k.Size < 0 {
				p.addf("%s: dim %d has size %d < 0", where, j, k.Size)
			}
		case *bundlepb.Dim_Symbol:
			if k.Symbol != "" {
				syms[k.Symbol] = true
			}
		default:
			p.addf("%s: dim %d has neither a size nor a symbol", where, j)
		}
	}
	return syms
}

func checkSettings(p *problems, s *bundlepb.Settings, graphInputs map[string]bool) {
	if s == nil {
		p.addf("settings are missing")
		return
	}
	if s.GetMinBlockSize() < 0 {
		p.addf("settings: min_block_size %d < 0", s.GetMinBlockSize())
	}
	if s.GetBackend() == "" {
		p.addf("settings: backend is empty")
	}
	seen := map[string]bool{}
	for _, in := range s.GetInputShapes() {
		where := fmt.Sprintf("settings: input shape for %q", in.GetName())
		switch {
		case !graphInputs[in.GetName()]:
			p.addf("%s: not a graph input", where)
		case seen[in.GetName()]:
			p.addf("%s: given twice", where)
		}
		seen[in.GetName()] = true
		checkDims(p, where, in.GetDims())
	}
}

// flow walks the segments in order, tracking which values exist.
type flow struct {
	p        *problems
	blobs    []*bundlepb.Blob
	used     []bool
	producer map[string]string // value name -> what produced it
	// pinned are the value-pinned graph inputs: a fallback segment may
	// hold one as a constant (its value, which run checks the input
	// against).
	pinned map[string]bool
	nodes  map[string]int // node name -> segment index
}

// blob checks a blob reference and marks the blob used; it returns the blob,
// or nil when the reference is bad.
func (f *flow) blob(where string, idx uint32, want bundlepb.BlobKind) *bundlepb.Blob {
	if uint64(idx) >= uint64(len(f.blobs)) {
		f.p.addf("%s: blob %d does not exist (the bundle has %d blobs)", where, idx, len(f.blobs))
		return nil
	}
	f.used[idx] = true
	b := f.blobs[idx]
	if b.GetKind() != want {
		f.p.addf("%s: blob %d is %s, want %s", where, idx, kindName(b.GetKind()), kindName(want))
		return nil
	}
	return b
}

func (f *flow) node(where string, seg int, name, op string) {
	switch {
	case name == "":
		f.p.addf("%s: a node has no name", where)
	case f.nodes[name] != 0:
		f.p.addf("%s: node %q is also in segment %d", where, name, f.nodes[name]-1)
	default:
		f.nodes[name] = seg + 1
	}
	if op == "" {
		f.p.addf("%s: node %q has no op", where, name)
	}
}

// reads checks that a segment's input exists.
func (f *flow) reads(where, value string) {
	if _, ok := f.producer[value]; !ok {
		f.p.addf("%s: reads %q, which is neither a graph input nor an output of an earlier segment", where, value)
	}
}

// produces records a segment's output.
func (f *flow) produces(where, value string) {
	if prev, ok := f.producer[value]; ok {
		f.p.addf("%s: produces %q, which is already %s", where, value, prev)
		return
	}
	f.producer[value] = "an output of " + where
}

func (f *flow) engine(i int, e *bundlepb.EngineSegment) {
	where := fmt.Sprintf("segment %d (engine)", i)
	p := f.p
	if e.GetBackend() == "" {
		p.addf("%s: backend is empty", where)
	}
	f.blob(where, e.GetBlob(), bundlepb.BlobKind_BLOB_KIND_ENGINE)
	if t := e.GetTarget(); t == nil {
		p.addf("%s: build target is missing", where)
	} else {
		if t.GetBackend() != e.GetBackend() {
			p.addf("%s: build target backend %q differs from segment backend %q", where, t.GetBackend(), e.GetBackend())
		}
		if t.GetVersion() == "" {
			p.addf("%s: build target version is empty", where)
		}
	}

	tensors := map[string]bool{}
	inTensors := map[string]bool{}
	ins, outs := map[string]bool{}, map[string]bool{}
	for _, b := range e.GetBindings() {
		if b.GetValue() == "" || b.GetTensor() == "" {
			p.addf("%s: binding of value %q to tensor %q has an empty name", where, b.GetValue(), b.GetTensor())
			continue
		}
		if tensors[b.GetTensor()] {
			p.addf("%s: engine tensor %q is bound twice", where, b.GetTensor())
		}
		tensors[b.GetTensor()] = true
		switch b.GetDirection() {
		case bundlepb.Direction_DIRECTION_INPUT:
			inTensors[b.GetTensor()] = true
			if ins[b.GetValue()] {
				p.addf("%s: value %q is bound to two inputs", where, b.GetValue())
			}
			ins[b.GetValue()] = true
		case bundlepb.Direction_DIRECTION_OUTPUT:
			if outs[b.GetValue()] {
				p.addf("%s: value %q is bound to two outputs", where, b.GetValue())
			}
			outs[b.GetValue()] = true
		default:
			p.addf("%s: binding of %q has no direction", where, b.GetValue())
		}
	}
	if len(outs) == 0 {
		p.addf("%s: has no output bindings", where)
	}

	shapeIns := map[string]bool{}
	for _, b := range e.GetBindings() {
		if b.GetShapeTensor() {
			if b.GetDirection() != bundlepb.Direction_DIRECTION_INPUT {
				p.addf("%s: output %q is marked as a shape-tensor input", where, b.GetTensor())
			}
			shapeIns[b.GetTensor()] = true
		}
	}
	if len(shapeIns) > 0 && len(e.GetProfiles()) == 0 {
		p.addf("%s: has shape-tensor inputs %v but no profile gives their values", where, ir.SortedKeys(shapeIns))
	}
	for j, prof := range e.GetProfiles() {
		pw := fmt.Sprintf("%s: profile %d", where, j)
		seen := map[string]bool{}
		for _, s := range prof.GetInputs() {
			switch {
			case !inTensors[s.GetTensor()]:
				p.addf("%s: %q is not an input tensor of the engine", pw, s.GetTensor())
			case seen[s.GetTensor()]:
				p.addf("%s: %q is given twice", pw, s.GetTensor())
			}
			seen[s.GetTensor()] = true
			checkProfileShape(p, pw, s)
			checkProfileValues(p, pw, s, shapeIns[s.GetTensor()])
		}
		for _, name := range ir.SortedKeys(shapeIns) {
			if !seen[name] {
				p.addf("%s: shape-tensor input %q has no values", pw, name)
			}
		}
	}

	if len(e.GetNodes()) == 0 {
		p.addf("%s: has no nodes", where)
	}
	for _, n := range e.GetNodes() {
		f.node(where, i, n.GetName(), n.GetOp())
		if n.GetConverter() == "" {
			p.addf("%s: node %q has no converter name", where, n.GetName())
		}
		switch n.GetOrigin() {
		case "":
			p.addf("%s: node %q has no converter origin", where, n.GetName())
		case "builtin":
			if len(n.GetPluginSha256()) != 0 {
				p.addf("%s: node %q has a plugin sha256 but a builtin converter", where, n.GetName())
			}
		default:
			if len(n.GetPluginSha256()) != sha256.Size {
				p.addf("%s: node %q: plugin sha256 is %d bytes, want %d", where, n.GetName(), len(n.GetPluginSha256()), sha256.Size)
			}
		}
		if _, ok := bundlepb.Priority_name[int32(n.GetPriority())]; !ok {
			p.addf("%s: node %q has unknown priority %d", where, n.GetName(), int32(n.GetPriority()))
		}
	}

	// Inputs are read before any output exists.
	for _, b := range e.GetBindings() {
		if b.GetDirection() == bundlepb.Direction_DIRECTION_INPUT && b.GetValue() != "" {
			f.reads(where, b.GetValue())
		}
	}
	for _, b := range e.GetBindings() {
		if b.GetDirection() != bundlepb.Direction_DIRECTION_OUTPUT || b.GetValue() == "" {
			continue
		}
		if ins[b.GetValue()] {
			p.addf("%s: value %q is both an input and an output", where, b.GetValue())
		} else {
			f.produces(where, b.GetValue())
		}
	}
}

func checkProfileShape(p *problems, where string, s *bundlepb.ProfileShape) {
	mn, opt, mx := s.GetMin(), s.GetOpt(), s.GetMax()
	if len(mn) != len(opt) || len(opt) != len(mx) {
		p.addf("%s: %q has min/opt/max of ranks %d/%d/%d", where, s.GetTensor(), len(mn), len(opt), len(mx))
		return
	}
	for k := range mn {
		if mn[k] < 0 || mn[k] > opt[k] || opt[k] > mx[k] {
			p.addf("%s: %q dim %d: want 0 <= min <= opt <= max, have %d, %d, %d", where, s.GetTensor(), k, mn[k], opt[k], mx[k])
		}
	}
}

// checkProfileValues checks a shape-tensor input's values: present exactly
// for shape-tensor inputs, one count, min <= opt <= max.
func checkProfileValues(p *problems, where string, s *bundlepb.ProfileShape, shapeTensor bool) {
	mn, opt, mx := s.GetMinValues(), s.GetOptValues(), s.GetMaxValues()
	if !shapeTensor {
		if len(mn)+len(opt)+len(mx) > 0 {
			p.addf("%s: %q has values but is not a shape-tensor input", where, s.GetTensor())
		}
		return
	}
	if len(mn) == 0 || len(mn) != len(opt) || len(opt) != len(mx) {
		p.addf("%s: shape-tensor input %q has %d/%d/%d min/opt/max values", where, s.GetTensor(), len(mn), len(opt), len(mx))
		return
	}
	for k := range mn {
		if mn[k] > opt[k] || opt[k] > mx[k] {
			p.addf("%s: %q value %d: want min <= opt <= max, have %d, %d, %d", where, s.GetTensor(), k, mn[k], opt[k], mx[k])
		}
	}
}

func (f *flow) fallback(i int, fb *bundlepb.FallbackSegment) {
	where := fmt.Sprintf("segment %d (fallback)", i)
	p := f.p
	if len(fb.GetNodes()) == 0 {
		p.addf("%s: has no nodes", where)
	}
	for _, n := range fb.GetNodes() {
		f.node(where, i, n.GetName(), n.GetOp())
	}
	f.blob(where+": subgraph", fb.GetSubgraphBlob(), bundlepb.BlobKind_BLOB_KIND_SUBGRAPH)

	inputs := map[string]bool{}
	for _, v := range fb.GetInputs() {
		switch {
		case v == "":
			p.addf("%s: an input has no name", where)
		case inputs[v]:
			p.addf("%s: input %q is listed twice", where, v)
		default:
			f.reads(where, v)
		}
		inputs[v] = true
	}

	consts := map[string]bool{}
	for _, c := range fb.GetConstants() {
		cw := fmt.Sprintf("%s: constant %q", where, c.GetValue())
		switch _, exists := f.producer[c.GetValue()]; {
		case c.GetValue() == "":
			p.addf("%s: a constant has no name", where)
		case consts[c.GetValue()]:
			p.addf("%s: listed twice", cw)
		case (exists && !f.pinned[c.GetValue()]) || inputs[c.GetValue()]:
			p.addf("%s: has the name of a graph input or another segment's output", cw)
		}
		consts[c.GetValue()] = true
		b := f.blob(cw, c.GetBlob(), bundlepb.BlobKind_BLOB_KIND_CONSTANT)
		dt := ir.DType(c.GetDtype())
		if !dt.Supported() {
			p.addf("%s: dtype %v is not one trtc supports", cw, dt)
			continue
		}
		size, ok := uint64(dt.Size()), true
		for _, d := range c.GetDims() {
			if d < 0 {
				p.addf("%s: dims %v has a negative dim", cw, c.GetDims())
				ok = false
				break
			}
			hi, lo := bits.Mul64(size, uint64(d))
			if hi != 0 || lo > math.MaxInt64 {
				p.addf("%s: dims %v are too large", cw, c.GetDims())
				ok = false
				break
			}
			size = lo
		}
		if ok && b != nil && b.GetLength() != size {
			p.addf("%s: blob %d holds %d bytes, but %v%v needs %d", cw, c.GetBlob(), b.GetLength(), dt, c.GetDims(), size)
		}
	}

	outputs := map[string]bool{}
	if len(fb.GetOutputs()) == 0 {
		p.addf("%s: has no outputs", where)
	}
	for _, v := range fb.GetOutputs() {
		switch {
		case v == "":
			p.addf("%s: an output has no name", where)
		case outputs[v]:
			p.addf("%s: output %q is listed twice", where, v)
		case inputs[v] || consts[v]:
			p.addf("%s: output %q is also an input or a constant of the segment", where, v)
		default:
			f.produces(where, v)
		}
		outputs[v] = true
	}
}
