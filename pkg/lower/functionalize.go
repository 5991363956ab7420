package lower

import (
	"errors"
	"fmt"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Functionalization, by one schema rule rather than a table of ops:
//
//   - an in-place op, aten.<name>_.<overload> (relu_, add_, hardswish_,
//     dropout_, fill_, copy_, masked_fill_, ...), mutates its first argument
//     and returns it. It becomes aten.<name>.<overload>, whose output is a
//     new value; every later read of the mutated value reads that output.
//   - an out= variant, aten.<name>.out, writes its last tensor argument. It
//     becomes the functional overload (default, else Tensor) without that
//     argument, and later reads of the out tensor read its output.
//
// A mutated value that is a view of another (slice, select, view, permute,
// transpose, unsqueeze, squeeze, alias, ...) writes through to its base, as
// PyTorch's functionalization does: the base is rebuilt with the inverse
// scatter (slice_scatter, select_scatter, a view back to the base's shape,
// the inverse permutation), and views of that base made before the write
// are made again from the new base when they are read afterwards.

// viewOps are the ATen ops whose output aliases input 0.
var viewOps = map[string]bool{
	"aten.slice.Tensor": true, "aten.select.int": true, "aten.view.default": true,
	"aten._unsafe_view.default": true, "aten.alias.default": true, "aten.detach.default": true,
	"aten.permute.default": true, "aten.transpose.int": true, "aten.t.default": true,
	"aten.unsqueeze.default": true, "aten.squeeze.dim": true, "aten.squeeze.dims": true,
	"aten.squeeze.default": true, "aten.reshape.default": true, "aten.flatten.using_ints": true,
	"aten.unflatten.int": true, "aten.expand.default": true, "aten.narrow.default": true,
}

// functionalOf maps an in-place op key to its functional key.
func functionalOf(op string) (string, bool) {
	parts := strings.SplitN(op, ".", 3)
	if len(parts) != 3 || parts[0] != "aten" {
		return "", false
	}
	name := parts[1]
	if len(name) < 2 || !strings.HasSuffix(name, "_") || strings.HasSuffix(name, "__") {
		return "", false
	}
	return "aten." + name[:len(name)-1] + "." + parts[2], true
}

type viewInfo struct {
	node    *ir.Node // the view node as exported (inputs by exported name)
	base    string   // exported name of the viewed value
	baseVer int      // base's version when the view was made
}

type functionalizer struct {
	r     *rewriter
	bind  map[string]string // exported name -> current value
	ver   map[string]int
	views map[string]*viewInfo
	count int
}

func functionalize(r *rewriter) (int, error) {
	f := &functionalizer{r: r, bind: map[string]string{}, ver: map[string]int{}, views: map[string]*viewInfo{}}
	r.out = nil
	for _, n := range r.g.Nodes {
		if err := safely(n, func() error { return f.node(n) }); err != nil {
			return 0, err
		}
	}
	for i, o := range r.g.Outputs {
		if cur := f.read(o); cur != o {
			// The graph returns a value that was later updated in
			// place: its final state is what the program returns.
			r.orig = &ir.Node{Name: o, Op: "aten.clone.default"}
			tmp := r.fresh(o + "/before_update")
			f.renameProducer(o, tmp)
			r.emit("aten.clone.default", nil, []string{cur}, o)
			r.g.Outputs[i] = o
		}
	}
	r.g.Nodes = r.out
	r.out = nil
	return f.count, nil
}

// renameProducer renames an emitted node output (and its readers).
func (f *functionalizer) renameProducer(from, to string) {
	if v := f.r.g.Values[from]; v != nil {
		c := *v
		c.Name = to
		f.r.g.Values[to] = &c
	}
	for _, n := range f.r.out {
		for i := range n.Outputs {
			if n.Outputs[i] == from {
				n.Outputs[i] = to
			}
		}
		for i := range n.Inputs {
			if n.Inputs[i] == from {
				n.Inputs[i] = to
			}
		}
	}
}

// read returns the current value of an exported name, making a stale view
// again from its updated base.
func (f *functionalizer) read(name string) string {
	if name == "" {
		return ""
	}
	if vi := f.views[name]; vi != nil && f.ver[vi.base] != vi.baseVer {
		base := f.read(vi.base)
		c := cloneNode(vi.node)
		for i := range c.Inputs {
			c.Inputs[i] = f.read(c.Inputs[i])
		}
		c.Inputs[0] = base
		f.r.orig = vi.node
		out := f.r.fresh(name)
		f.likeValue(out, name)
		c.Name = f.r.fresh(vi.node.Name)
		c.Outputs = []string{out}
		stamp(c, vi.node)
		f.r.out = append(f.r.out, c)
		f.bind[name] = out
		vi.baseVer = f.ver[vi.base]
		return out
	}
	if cur, ok := f.bind[name]; ok {
		return cur
	}
	return name
}

// likeValue gives name the dtype and shape of the exported value like.
func (f *functionalizer) likeValue(name, like string) {
	if v := f.r.g.Values[like]; v != nil {
		c := &ir.Value{Name: name, DType: v.DType, Shape: v.Shape.Clone(), Min: v.Min, Max: v.Max}
		f.r.g.Values[name] = c
	}
}

func cloneNode(n *ir.Node) *ir.Node {
	c := &ir.Node{Name: n.Name, Op: n.Op, Inputs: append([]string(nil), n.Inputs...), Outputs: append([]string(nil), n.Outputs...), Attrs: map[string]ir.Attr{}}
	for k, v := range n.Attrs {
		c.Attrs[k] = v
	}
	return c
}

func (f *functionalizer) node(n *ir.Node) error {
	orig := cloneNode(n)
	c := cloneNode(n)
	for i := range c.Inputs {
		c.Inputs[i] = f.read(c.Inputs[i])
	}
	f.r.orig = orig
	fop, inplace := functionalOf(n.Op)
	outVariant := strings.HasSuffix(n.Op, ".out") && strings.HasPrefix(n.Op, "aten.")
	if !inplace && !outVariant {
		f.r.out = append(f.r.out, c)
		if viewOps[n.Op] && len(n.Inputs) > 0 && len(n.Outputs) > 0 && n.Outputs[0] != "" {
			f.views[n.Outputs[0]] = &viewInfo{node: orig, base: n.Inputs[0], baseVer: f.ver[n.Inputs[0]]}
		}
		return nil
	}
	f.count++
	var target string
	if inplace {
		if len(n.Inputs) == 0 || n.Inputs[0] == "" {
			return &Error{Node: n.Name, Op: n.Op, Err: errors.New("an in-place op needs the tensor it updates as its first argument")}
		}
		target = n.Inputs[0]
		c.Op = fop
	} else {
		if len(n.Inputs) == 0 || n.Inputs[len(n.Inputs)-1] == "" {
			return &Error{Node: n.Name, Op: n.Op, Err: errors.New("an out= variant needs its out tensor")}
		}
		target = n.Inputs[len(n.Inputs)-1]
		c.Inputs = c.Inputs[:len(c.Inputs)-1]
		base := strings.TrimSuffix(n.Op, ".out")
		c.Op = base + ".default"
		if _, ok := f.r.lookup(c.Op); !ok {
			c.Op = base + ".Tensor"
		}
	}
	if len(c.Outputs) == 0 {
		c.Outputs = []string{""}
	}
	if c.Outputs[0] == "" {
		c.Outputs[0] = f.r.fresh(n.Name + "/updated")
		f.likeValue(c.Outputs[0], target)
	}
	stamp(c, orig)
	f.r.out = append(f.r.out, c)
	return f.write(target, c.Outputs[0])
}

// write makes val the new value of the exported name target, writing
// through views to their bases.
func (f *functionalizer) write(target, val string) error {
	f.bind[target] = val
	f.ver[target]++
	vi := f.views[target]
	if vi == nil {
		return nil
	}
	base := f.read(vi.base)
	nb, err := f.scatter(vi, base, val)
	if err != nil {
		return err
	}
	if err := f.write(vi.base, nb); err != nil {
		return err
	}
	vi.baseVer = f.ver[vi.base]
	return nil
}

// scatter returns base with the view vi replaced by val.
func (f *functionalizer) scatter(vi *viewInfo, base, val string) (string, error) {
	r := f.r
	v := vi.node
	out := r.fresh(vi.base + "/updated")
	f.likeValue(out, vi.base)
	bad := func(why string) (string, error) {
		return "", &Error{Node: v.Name, Op: v.Op, Unsupported: true, Err: fmt.Errorf("an in-place update writes through this view, and %s", why)}
	}
	switch v.Op {
	case "aten.slice.Tensor":
		a := map[string]ir.Attr{"dim": attrInt(v.AttrInt("dim", 0)), "start": attrInt(v.AttrInt("start", 0)),
			"end": attrInt(v.AttrInt("end", 1<<63-1)), "step": attrInt(v.AttrInt("step", 1))}
		for _, k := range []string{"start", "end"} {
			if s, ok := v.Attrs["_symref_"+k]; ok {
				a["_symref_"+k] = s
			}
		}
		r.emit("aten.slice_scatter.default", a, []string{base, val}, out)
	case "aten.narrow.default":
		start, length := v.AttrInt("start", 0), v.AttrInt("length", 0)
		r.emit("aten.slice_scatter.default", map[string]ir.Attr{"dim": attrInt(v.AttrInt("dim", 0)),
			"start": attrInt(start), "end": attrInt(start + length), "step": attrInt(1)}, []string{base, val}, out)
	case "aten.select.int":
		r.emit("aten.select_scatter.default", map[string]ir.Attr{"dim": attrInt(v.AttrInt("dim", 0)),
			"index": attrInt(v.AttrInt("index", 0))}, []string{base, val}, out)
	case "aten.alias.default", "aten.detach.default":
		r.emit("aten.alias.default", nil, []string{val}, out)
	case "aten.view.default", "aten._unsafe_view.default", "aten.reshape.default", "aten.unsqueeze.default",
		"aten.squeeze.dim", "aten.squeeze.dims", "aten.squeeze.default", "aten.flatten.using_ints", "aten.unflatten.int":
		dims, ok := staticDims(r.value(vi.base))
		if !ok {
			return bad("the base's shape is not static")
		}
		r.emit("aten.view.default", map[string]ir.Attr{"size": attrInts(dims...)}, []string{val}, out)
	case "aten.permute.default", "aten.transpose.int", "aten.t.default":
		bv := r.value(vi.base)
		if bv == nil {
			return bad("the base has no shape")
		}
		rank := len(bv.Shape)
		perm := make([]int64, rank)
		for i := range perm {
			perm[i] = int64(i)
		}
		switch v.Op {
		case "aten.permute.default":
			dims := v.AttrInts("dims", nil)
			if len(dims) != rank {
				return bad("its dims do not match the base's rank")
			}
			for i, d := range dims {
				d2, err := ir.NormAxis(d, rank)
				if err != nil {
					return bad(err.Error())
				}
				perm[d2] = int64(i) // inverse permutation
			}
		case "aten.transpose.int":
			a, err1 := ir.NormAxis(v.AttrInt("dim0", 0), rank)
			b, err2 := ir.NormAxis(v.AttrInt("dim1", 0), rank)
			if err1 != nil || err2 != nil {
				return bad("its dims are out of range")
			}
			perm[a], perm[b] = perm[b], perm[a]
		case "aten.t.default":
			if rank == 2 {
				perm[0], perm[1] = 1, 0
			}
		}
		r.emit("aten.permute.default", map[string]ir.Attr{"dims": attrInts(perm...)}, []string{val}, out)
	default:
		return bad(fmt.Sprintf("%s has no inverse trtc can scatter through", v.Op))
	}
	return out, nil
}
