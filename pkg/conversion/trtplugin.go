package conversion

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// TRTPluginCreator declares a TensorRT plugin creator (an
// IPluginCreatorV3One that a TensorRT plugin library registers), so that
// ONNX nodes of a custom domain whose op type is its name convert to its
// plugin layer, as onnx-tensorrt's fallback plugin importer does (see
// ImportTRTPlugins). A Go plugin declares it with
// Registrar.DeclareTRTPlugin; the TensorRT backend also finds the creators
// its plugin registry holds (backend.PluginCreatorLister).
type TRTPluginCreator struct {
	// Name, Version and Namespace are the creator's getPluginName,
	// getPluginVersion and getPluginNamespace.
	Name, Version, Namespace string
	// Fields are the fields it takes (getFieldNames): a node attribute of
	// one of these names becomes a PluginField of that type; a node
	// attribute not listed is an error naming it.
	Fields []TRTPluginField
	// CPUOp is the key of a trtc op (built in, or defined by the declaring
	// plugin with DefineOp) that computes what the TensorRT plugin
	// computes, with the fields as its attributes: trtc infers the node's
	// outputs with it, the reference backend runs the plugin layer through
	// it, and a fallback segment runs its kernel. Empty for creators found
	// only in TensorRT's registry.
	CPUOp string
}

// TRTPluginField is one field a plugin creator declares.
type TRTPluginField struct {
	Name string
	Type network.PluginFieldType
}

func (c TRTPluginCreator) String() string {
	return fmt.Sprintf("TensorRT plugin creator %s version %s (namespace %q)", c.Name, c.Version, c.Namespace)
}

func (c TRTPluginCreator) key() string { return c.Name + "\x00" + c.Version + "\x00" + c.Namespace }

// checkCreator checks a declaration on its own.
func checkCreator(c TRTPluginCreator) error {
	if c.Name == "" || c.Version == "" {
		return fmt.Errorf("TensorRT plugin creator without a name or version (%q, %q)", c.Name, c.Version)
	}
	if c.CPUOp == "" {
		return fmt.Errorf("%v: CPUOp is required (the op trtc infers shapes with and the reference backend runs)", c)
	}
	seen := map[string]bool{}
	for _, f := range c.Fields {
		switch f.Type {
		case network.PluginFieldFloat32, network.PluginFieldInt32, network.PluginFieldInt64, network.PluginFieldChar:
		default:
			return fmt.Errorf("%v: field %q has type %v; trtc passes kFLOAT32, kINT32, kINT64 and kCHAR", c, f.Name, f.Type)
		}
		if f.Name == "" || seen[f.Name] {
			return fmt.Errorf("%v: field name %q is empty or declared twice", c, f.Name)
		}
		seen[f.Name] = true
	}
	return nil
}

// The creators Go plugins declared, by name, version and namespace.
var (
	creatorsMu sync.RWMutex
	creators   = map[string]declaredCreator{}
)

type declaredCreator struct {
	TRTPluginCreator
	origin string
}

// commitCreator adds a declared creator to the process-wide table; the
// same creator from two plugins is an error naming both.
func commitCreator(c TRTPluginCreator, origin string) error {
	creatorsMu.Lock()
	defer creatorsMu.Unlock()
	if prev, ok := creators[c.key()]; ok && prev.origin != origin {
		return fmt.Errorf("%v is declared by plugins %s and %s", c, prev.origin, origin)
	}
	creators[c.key()] = declaredCreator{c, origin}
	return nil
}

// DeclaredTRTPluginCreators are the creators loaded Go plugins declared,
// sorted by name, version and namespace.
func DeclaredTRTPluginCreators() []TRTPluginCreator {
	creatorsMu.RLock()
	defer creatorsMu.RUnlock()
	out := make([]TRTPluginCreator, 0, len(creators))
	for _, c := range creators {
		out = append(out, c.TRTPluginCreator)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

// Attributes ImportTRTPlugins sets on a node it rewrites; names starting
// with "_" are annotations op schemas do not check.
const (
	attrPluginCreator   = "_trt_plugin_creator"
	attrPluginVersion   = "_trt_plugin_version"
	attrPluginNamespace = "_trt_plugin_namespace"
	// AttrPluginFrom is the op key the node had in the model
	// ("com.acme.MyPlugin").
	AttrPluginFrom = "_trt_plugin_from"
)

// PluginVersionAttr and PluginNamespaceAttr are the node attributes that
// choose a creator's version and namespace (onnx-tensorrt's names); they are
// not passed as fields.
const (
	PluginVersionAttr   = "plugin_version"
	PluginNamespaceAttr = "plugin_namespace"
)

// ImportTRTPlugins is onnx-tensorrt's fallback plugin importer for trtc:
// each node of g (an ONNX graph) whose op trtc does not define and whose
// domain is not a standard one (ops.KnownOpsets), and whose op type names a
// TensorRT plugin creator that find returns, becomes a node of the
// creator's CPUOp marked with the creator; the converter the creator's
// declaration registered (or, for a creator of TensorRT's registry, the
// built-in plugin converter) makes it one PluginV3 layer. The creator is
// looked up by name = op type, version = the node's plugin_version
// attribute or "1", namespace = plugin_namespace or "". Nodes with no
// creator are left alone (the op check reports them). It returns the
// number of nodes rewritten.
func ImportTRTPlugins(g *ir.Graph, find func(name, version, namespace string) (TRTPluginCreator, bool)) (int, error) {
	if g.Format != "onnx" {
		return 0, nil
	}
	count := 0
	for _, n := range g.Nodes {
		if _, ok := ops.Lookup(n.Op); ok {
			continue
		}
		d := ops.Domain(n.Op)
		if _, standard := ops.KnownOpsets[d]; standard || d == "" || len(n.Op) <= len(d)+1 {
			continue
		}
		version, ns := "1", ""
		if a, ok := n.Attrs[PluginVersionAttr]; ok {
			version = attrText(a)
		}
		if a, ok := n.Attrs[PluginNamespaceAttr]; ok {
			ns = attrText(a)
		}
		c, ok := find(n.Op[len(d)+1:], version, ns)
		if !ok {
			continue
		}
		if c.CPUOp == "" {
			return count, &PluginImportError{Node: n.Name, Op: n.Op, Unsupported: true, Err: fmt.Errorf(
				"%v is in TensorRT's plugin registry, but no Go plugin declares it with the CPU op trtc infers the node's outputs with (DeclareTRTPlugin: docs/custom-ops.md)", c)}
		}
		if _, ok := ops.Lookup(c.CPUOp); !ok {
			return count, &PluginImportError{Node: n.Name, Op: n.Op, Unsupported: true, Err: fmt.Errorf("%v computes through op %s, which is not defined here", c, c.CPUOp)}
		}
		attrs := map[string]ir.Attr{}
		for name, a := range n.Attrs {
			if name == PluginVersionAttr || name == PluginNamespaceAttr {
				continue
			}
			if !slices.ContainsFunc(c.Fields, func(f TRTPluginField) bool { return f.Name == name }) {
				return count, &PluginImportError{Node: n.Name, Op: n.Op, Err: fmt.Errorf("attribute %q is not a field of %v (fields: %v)", name, c, fieldNames(c))}
			}
			attrs[name] = a
		}
		attrs[attrPluginCreator] = ir.Attr{Kind: ir.AttrString, S: c.Name}
		attrs[attrPluginVersion] = ir.Attr{Kind: ir.AttrString, S: c.Version}
		attrs[attrPluginNamespace] = ir.Attr{Kind: ir.AttrString, S: c.Namespace}
		attrs[AttrPluginFrom] = ir.Attr{Kind: ir.AttrString, S: n.Op}
		n.Op, n.Attrs = c.CPUOp, attrs
		count++
	}
	return count, nil
}

// PluginImportError is a node the fallback plugin importer matched to a
// creator but cannot import; Unsupported marks a creator trtc cannot run
// the node with (the op check's exit code), otherwise the node's attributes
// do not fit the creator.
type PluginImportError struct {
	Node, Op    string
	Unsupported bool
	Err         error
}

func (e *PluginImportError) Error() string {
	return fmt.Sprintf("node %s (%s): %v", e.Node, e.Op, e.Err)
}
func (e *PluginImportError) Unwrap() error { return e.Err }

func fieldNames(c TRTPluginCreator) []string {
	var s []string
	for _, f := range c.Fields {
		s = append(s, f.Name)
	}
	return s
}

// attrText is a version or namespace attribute as text (ONNX exporters
// write plugin_version as a string, some as an int).
func attrText(a ir.Attr) string {
	switch a.Kind {
	case ir.AttrInt:
		return strconv.FormatInt(a.I, 10)
	case ir.AttrFloat:
		return strconv.FormatFloat(float64(a.F), 'g', -1, 32)
	}
	return a.S
}

// pluginLayerConverter converts the nodes ImportTRTPlugins marked with c
// into c's plugin layer.
func pluginLayerConverter(c TRTPluginCreator) Converter {
	return Converter{
		Name:          fmt.Sprintf("trt-plugin-importer:%s/%s/%s", c.Namespace, c.Name, c.Version),
		Target:        c.CPUOp,
		Priority:      High,
		DynamicShapes: true,
		Description:   fmt.Sprintf("custom-domain node as the TensorRT plugin layer of %v (fallback plugin importer)", c),
		Validator: func(n *Node) error {
			if n.AttrString(attrPluginCreator, "") != c.Name || n.AttrString(attrPluginVersion, "") != c.Version ||
				n.AttrString(attrPluginNamespace, "\x00") != c.Namespace {
				return fmt.Errorf("not a node imported for %v", c)
			}
			_, err := pluginFields(n, c)
			return err
		},
		Convert: func(ctx *Context, n *Node) error {
			fields, err := pluginFields(n, c)
			if err != nil {
				return err
			}
			var xs []network.Tensor
			for i := range n.Inputs {
				xs = append(xs, ctx.Input(n, i))
			}
			ctx.SetOutput(n, 0, ctx.Net.AddPluginV3(xs, network.PluginV3{Creator: c.Name, Version: c.Version,
				Namespace: c.Namespace, Fields: fields, CPUOp: c.CPUOp}))
			return nil
		},
	}
}

// pluginFields maps a node's attributes to c's fields, in c's order:
// float and floats to kFLOAT32, int and ints to kINT32 or kINT64 (kINT32
// values must fit), string to kCHAR, as declared.
func pluginFields(n *Node, c TRTPluginCreator) ([]network.PluginField, error) {
	var out []network.PluginField
	for _, f := range c.Fields {
		a, ok := n.Attrs[f.Name]
		if !ok {
			continue
		}
		pf := network.PluginField{Name: f.Name, Type: f.Type}
		bad := func() error {
			return fmt.Errorf("attribute %q is %v; field %s of %v is %v", f.Name, a.Kind, f.Name, c, f.Type)
		}
		switch f.Type {
		case network.PluginFieldFloat32:
			switch a.Kind {
			case ir.AttrFloat:
				pf.Float32s = []float32{a.F}
			case ir.AttrFloats:
				pf.Float32s = a.Floats
			default:
				return nil, bad()
			}
		case network.PluginFieldInt32, network.PluginFieldInt64:
			var ints []int64
			switch a.Kind {
			case ir.AttrInt:
				ints = []int64{a.I}
			case ir.AttrInts:
				ints = a.Ints
			default:
				return nil, bad()
			}
			if f.Type == network.PluginFieldInt64 {
				pf.Int64s = ints
				break
			}
			for _, v := range ints {
				if v != int64(int32(v)) {
					return nil, fmt.Errorf("attribute %q: %d does not fit field %s's kINT32", f.Name, v, f.Name)
				}
				pf.Int32s = append(pf.Int32s, int32(v))
			}
		case network.PluginFieldChar:
			if a.Kind != ir.AttrString {
				return nil, bad()
			}
			pf.Chars = a.S
		}
		out = append(out, pf)
	}
	return out, nil
}
