package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/trtc-dev/trtc/pkg/network/kinddef"
)

// The layer kind tables: everything below is generated from
// pkg/network/kinddef.Kinds, the one declaration of every layer kind.

const (
	kindsGoPath  = "pkg/network/kinds_gen.go"
	rulesGoPath  = "pkg/backend/reference/rules_gen.go"
	networkGo    = "pkg/network/network.go"
	referenceDir = "pkg/backend/reference"
	shimH        = "cgo/tensorrt/shim.h"
)

// irDTypes are the pkg/ir dtype names a declaration may use.
var irDTypes = []string{"Float32", "Float16", "BFloat16", "Int8", "Int32", "Int64", "Bool", "Uint8", "Float8E4M3FN", "Int4", "Float4E2M1"}

// checkKinds refuses a declaration the implementations do not match: a
// kind without a reference implementation (registerKind), a method not in
// network.Network, a shim function not declared in shim.h or not called by
// the kind's methods in cgo/tensorrt/network.go, a duplicate, an unknown
// dtype, a rule without its source.
func checkKinds(root string, kinds []kinddef.Kind, trtPath string) error {
	iface, err := interfaceMethods(filepath.Join(root, networkGo))
	if err != nil {
		return err
	}
	registered, err := registeredKinds(filepath.Join(root, referenceDir))
	if err != nil {
		return err
	}
	shim, err := os.ReadFile(filepath.Join(root, shimH))
	if err != nil {
		return err
	}
	calls, err := shimCalls(trtPath)
	if err != nil {
		return err
	}
	var errs []string
	bad := func(k kinddef.Kind, f string, a ...any) {
		errs = append(errs, k.Name+": "+fmt.Sprintf(f, a...))
	}
	seen := map[string]bool{}
	seenMethod := map[string]bool{}
	for _, k := range kinds {
		if k.Name == "" || k.LayerType == "" || seen[k.Name] {
			bad(k, "empty or duplicate name or LayerType")
		}
		seen[k.Name] = true
		if k.Since.Major < 10 {
			bad(k, "Since %d.%d: trtc targets TensorRT 10.0 and later", k.Since.Major, k.Since.Minor)
		}
		if !registered[k.Name] {
			bad(k, "no reference implementation (registerKind(network.Kind%s, ...) in %s)", k.Name, referenceDir)
		}
		if len(k.Methods) == 0 {
			bad(k, "no network.Network method")
		}
		var called []string
		for _, m := range k.Methods {
			if !iface[m] {
				bad(k, "method %s is not in network.Network (%s)", m, networkGo)
			}
			if seenMethod[m] {
				bad(k, "method %s is declared by two kinds", m)
			}
			seenMethod[m] = true
			c, ok := calls[m]
			if !ok {
				bad(k, "cgo/tensorrt's Network has no method %s", m)
			}
			called = append(called, c...)
		}
		if len(k.Shim) == 0 {
			bad(k, "no shim function")
		}
		for _, f := range k.Shim {
			if !regexp.MustCompile(`\b` + regexp.QuoteMeta(f) + `\(`).Match(shim) {
				bad(k, "shim function %s is not declared in %s", f, shimH)
			}
			if !slices.Contains(called, f) {
				bad(k, "shim function %s is not called by %s in cgo/tensorrt/network.go", f, strings.Join(k.Methods, ", "))
			}
		}
		for i, in := range k.Inputs {
			if in.Variadic && i != len(k.Inputs)-1 {
				bad(k, "variadic input %s is not the last", in.Name)
			}
			checkDTypes(k, in.Name, in.DTypes, in.DTypeSource, bad)
			if (in.Int64Since != kinddef.Version{}) != (in.Int64Source.Quote != "") {
				bad(k, "input %s: Int64Since and Int64Source go together", in.Name)
			}
			if (in.MinRank > 0 || in.MaxRank > 0) && in.RankSource.Quote == "" {
				bad(k, "input %s has rank bounds without a source", in.Name)
			}
		}
		for _, o := range k.Outputs {
			checkDTypes(k, o.Name, o.DTypes, o.DTypeSource, bad)
		}
		checks := map[string]bool{}
		for _, r := range k.Rules {
			if r.Check == "" || r.Text == "" || r.Source.File == "" || r.Source.Quote == "" {
				bad(k, "rule %q lacks its check name, text or source", r.Check)
			}
			if checks[r.Check] {
				bad(k, "rule %s declared twice", r.Check)
			}
			checks[r.Check] = true
		}
	}
	for k := range registered {
		if !seen[k] {
			errs = append(errs, fmt.Sprintf("%s: registered by the reference backend but not declared in pkg/network/kinddef", k))
		}
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		return fmt.Errorf("layer kind declarations do not match the implementations:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

func checkDTypes(k kinddef.Kind, name string, dts []string, src kinddef.Source, bad func(kinddef.Kind, string, ...any)) {
	if len(dts) == 0 {
		bad(k, "%s has no dtypes", name)
	}
	for _, d := range dts {
		if !slices.Contains(irDTypes, d) {
			bad(k, "%s: unknown dtype %q", name, d)
		}
	}
	if src.File == "" || src.Quote == "" {
		bad(k, "%s's dtypes have no source", name)
	}
}

// interfaceMethods lists the methods of the Network interface in a file.
func interfaceMethods(path string) (map[string]bool, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "Network" {
			return true
		}
		if it, ok := ts.Type.(*ast.InterfaceType); ok {
			for _, m := range it.Methods.List {
				for _, id := range m.Names {
					out[id.Name] = true
				}
			}
		}
		return false
	})
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no Network interface", path)
	}
	return out, nil
}

// registeredKinds lists the kinds a package registers with
// registerKind(network.KindX, ...) outside its tests.
func registeredKinds(dir string) (map[string]bool, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
		if err != nil {
			return nil, err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "registerKind" {
				return true
			}
			if sel, ok := call.Args[0].(*ast.SelectorExpr); ok && strings.HasPrefix(sel.Sel.Name, "Kind") {
				out[strings.TrimPrefix(sel.Sel.Name, "Kind")] = true
			}
			return true
		})
	}
	return out, nil
}

// receiverMethods lists the methods on *Network of a package's sources.
func receiverMethods(dir string) (map[string]bool, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 {
				continue
			}
			if star, ok := fd.Recv.List[0].Type.(*ast.StarExpr); ok {
				if id, ok := star.X.(*ast.Ident); ok && id.Name == "Network" {
					out[fd.Name.Name] = true
				}
			}
		}
	}
	return out, nil
}

func gofmt(path string, b []byte) ([]byte, error) {
	out, err := format.Source(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v\n%s", path, err, b)
	}
	return out, nil
}

const genHeader = "// Code generated by cgo/tensorrt/internal/gentables (make tables) from pkg/network/kinddef. DO NOT EDIT.\n\n"

// kindsGo writes pkg/network/kinds_gen.go.
func kindsGo(kinds []kinddef.Kind) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(genHeader)
	b.WriteString("package network\n\n")
	b.WriteString("// The layer kinds of pkg/network/kinddef, each named as TensorRT's LayerType is.\nconst (\n")
	b.WriteString("\tKindInput LayerKind = \"Input\" // a network input: no layer in TensorRT\n")
	for _, k := range kinds {
		fmt.Fprintf(&b, "\tKind%s LayerKind = %q\n", k.Name, k.Name)
	}
	b.WriteString(")\n\n// Kinds lists every layer kind of the API, in declaration order. A test\n// checks that every backend implements each of them.\nvar Kinds = []LayerKind{\n")
	for _, k := range kinds {
		fmt.Fprintf(&b, "\tKind%s,\n", k.Name)
	}
	b.WriteString("}\n\n// layerTypes maps each layer kind to TensorRT's LayerType enumerator\n// (NvInfer.h, enum class LayerType) without its \"k\".\nvar layerTypes = map[LayerKind]string{\n")
	for _, k := range kinds {
		fmt.Fprintf(&b, "\tKind%s: %q,\n", k.Name, k.LayerType)
	}
	b.WriteString("}\n\n// kindSince is the first TensorRT release with each kind.\nvar kindSince = map[LayerKind]Version{\n")
	for _, k := range kinds {
		fmt.Fprintf(&b, "\tKind%s: {%d, %d},\n", k.Name, k.Since.Major, k.Since.Minor)
	}
	b.WriteString("}\n")
	return gofmt(kindsGoPath, b.Bytes())
}

func dtypeList(dts []string) string {
	parts := make([]string, len(dts))
	for i, d := range dts {
		parts[i] = "ir." + d
	}
	return "[]ir.DType{" + strings.Join(parts, ", ") + "}"
}

func srcLit(s kinddef.Source) string {
	if s.File == "" && s.Quote == "" {
		return "ruleSource{}"
	}
	return fmt.Sprintf("ruleSource{%q, %q}", s.File, s.Quote)
}

// rulesGo writes pkg/backend/reference/rules_gen.go: the rule table and
// the gob registrations of every kind's parameter types.
func rulesGo(kinds []kinddef.Kind) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(genHeader)
	b.WriteString("package reference\n\nimport (\n\t\"encoding/gob\"\n\n\t\"github.com/trtc-dev/trtc/pkg/ir\"\n\t\"github.com/trtc-dev/trtc/pkg/network\"\n)\n\n")
	b.WriteString("// kindRuleTable holds every kind's TensorRT rules; add enforces them.\nvar kindRuleTable = map[network.LayerKind]*kindRules{\n")
	for _, k := range kinds {
		fmt.Fprintf(&b, "\tnetwork.Kind%s: {\n\t\tKind: network.Kind%s, Since: network.Version{Major: %d, Minor: %d},\n", k.Name, k.Name, k.Since.Major, k.Since.Minor)
		if len(k.Inputs) > 0 {
			b.WriteString("\t\tInputs: []inputRule{\n")
			for _, in := range k.Inputs {
				fmt.Fprintf(&b, "\t\t\t{Name: %q, Optional: %v, ShapeTensor: %v, Variadic: %v, DTypes: %s, DTypeSource: %s, MinRank: %d, MaxRank: %d, RankSource: %s, Since: network.Version{Major: %d, Minor: %d}, Int64Since: network.Version{Major: %d, Minor: %d}, Int64Source: %s},\n",
					in.Name, in.Optional, in.ShapeTensor, in.Variadic, dtypeList(in.DTypes), srcLit(in.DTypeSource), in.MinRank, in.MaxRank, srcLit(in.RankSource), in.Since.Major, in.Since.Minor, in.Int64Since.Major, in.Int64Since.Minor, srcLit(in.Int64Source))
			}
			b.WriteString("\t\t},\n")
		}
		if len(k.Outputs) > 0 {
			b.WriteString("\t\tOutputs: []outputRule{\n")
			for _, o := range k.Outputs {
				fmt.Fprintf(&b, "\t\t\t{Name: %q, DTypes: %s, DTypeSource: %s},\n", o.Name, dtypeList(o.DTypes), srcLit(o.DTypeSource))
			}
			b.WriteString("\t\t},\n")
		}
		if len(k.Rules) > 0 {
			b.WriteString("\t\tRules: []customRule{\n")
			for _, r := range k.Rules {
				fmt.Fprintf(&b, "\t\t\t{Check: %q, Text: %q, Source: %s, Since: network.Version{Major: %d, Minor: %d}},\n", r.Check, r.Text, srcLit(r.Source), r.Since.Major, r.Since.Minor)
			}
			b.WriteString("\t\t},\n")
		}
		b.WriteString("\t},\n")
	}
	b.WriteString("}\n\n// registerParams registers every kind's parameter types for the plan\n// encoding.\nfunc registerParams() {\n")
	for _, k := range kinds {
		for _, p := range k.Params {
			fmt.Fprintf(&b, "\tgob.Register(%s) // %s\n", p, k.Name)
		}
	}
	b.WriteString("}\n")
	return gofmt(rulesGoPath, b.Bytes())
}

func versionText(v kinddef.Version) string {
	if v == (kinddef.Version{}) {
		return ""
	}
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}

// rulesTable is docs/backends.md's second part: every kind and rule.
func rulesTable(kinds []kinddef.Kind) string {
	var b strings.Builder
	b.WriteString("\n## Layer kinds and their TensorRT rules\n\n")
	b.WriteString("Every layer kind of pkg/network/kinddef, the TensorRT release that added it, and each rule\n")
	b.WriteString("the reference backend enforces when the layer is added (pkg/backend/reference/rules.go),\n")
	b.WriteString("with the header passage it comes from (NVIDIA/TensorRT `include/`). A rule's id is what\n")
	b.WriteString("the reference backend's error names. docs/tensorrt.md says which rules no real TensorRT\n")
	b.WriteString("has confirmed yet.\n\n")
	b.WriteString("| kind | LayerType | since | rule id | rule | source |\n|---|---|---|---|---|---|\n")
	esc := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ") }
	for _, k := range kinds {
		first := true
		row := func(id, text string, src kinddef.Source, since kinddef.Version) {
			kind, lt, sv := "", "", ""
			if first {
				kind, lt, sv = k.Name, "`"+k.LayerType+"`", versionText(k.Since)
				first = false
			}
			if s := versionText(since); s != "" {
				text += " (since " + s + ")"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | `%s` | %s | %s: “%s” |\n", kind, lt, sv, id, esc(text), src.File, esc(src.Quote))
		}
		for _, in := range k.Inputs {
			opt := ""
			if in.Optional {
				opt = "optional "
			}
			if in.ShapeTensor {
				opt += "shape-tensor "
			}
			row(k.Name+"."+in.Name+".dtype", fmt.Sprintf("%sinput %s is %s", opt, in.Name, strings.Join(in.DTypes, ", ")), in.DTypeSource, kinddef.Version{})
			if in.Since != (kinddef.Version{}) {
				row(k.Name+"."+in.Name+".since", "input "+in.Name, in.DTypeSource, in.Since)
			}
			if in.Int64Since != (kinddef.Version{}) {
				row(k.Name+"."+in.Name+".int64_since", "input "+in.Name+" of Int64", in.Int64Source, in.Int64Since)
			}
			if in.RankSource.Quote != "" {
				row(k.Name+"."+in.Name+".rank", fmt.Sprintf("input %s has rank %s", in.Name, rankText(in.MinRank, in.MaxRank)), in.RankSource, kinddef.Version{})
			}
		}
		for _, o := range k.Outputs {
			row(k.Name+"."+o.Name+".dtype", fmt.Sprintf("output %s is %s", o.Name, strings.Join(o.DTypes, ", ")), o.DTypeSource, kinddef.Version{})
		}
		for _, r := range k.Rules {
			row(k.Name+"."+r.Check, r.Text, r.Source, r.Since)
		}
		if first || k.Since != (kinddef.Version{Major: 10}) {
			row(k.Name+".since", "the kind needs TensorRT "+versionText(k.Since), kinddef.Source{File: kinddef.NvInfer, Quote: "I" + k.Name + "Layer"}, kinddef.Version{})
		}
	}
	return b.String()
}

func rankText(lo, hi int) string {
	switch {
	case hi == 0 && lo == 0:
		return "0"
	case hi == 0:
		return fmt.Sprintf(">= %d", lo)
	case lo == hi:
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d to %d", lo, hi)
}

const enumNamesPath = "pkg/network/enumnames_gen.go"

// enumNamesGo writes each enum type's String method, one case per constant
// of enums.go, and a Num<Type> count of its enumerators for the types
// whose values run 0..n-1, so no name table can drift from the values.
func enumNamesGo(enumsPath string) ([]byte, error) {
	consts, err := parseEnums(enumsPath)
	if err != nil {
		return nil, err
	}
	var types []string
	byType := map[string][]enumConst{}
	goName := map[string]string{}
	for _, c := range consts {
		if _, ok := byType[c.typ]; !ok {
			types = append(types, c.typ)
		}
		byType[c.typ] = append(byType[c.typ], c)
		goName[c.typ+"::"+c.name] = enumTypes[c.typ] + strings.TrimPrefix(c.name, "k")
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by cgo/tensorrt/internal/gentables (make tables) from pkg/network/enums.go. DO NOT EDIT.\n\n")
	b.WriteString("package network\n\nimport \"fmt\"\n\n")
	for _, t := range types {
		fmt.Fprintf(&b, "// String gives TensorRT's enumerator name of v (%s).\nfunc (v %s) String() string {\n\tswitch v {\n", byType[t][0].name, t)
		for _, c := range byType[t] {
			fmt.Fprintf(&b, "\tcase %s:\n\t\treturn %q\n", goName[t+"::"+c.name], c.name)
		}
		fmt.Fprintf(&b, "\t}\n\treturn fmt.Sprintf(\"%s(%%d)\", int32(v))\n}\n\n", t)
	}
	b.WriteString("// Enumerator counts, so tests can check that a backend covers each.\nconst (\n")
	for _, t := range types {
		cs := byType[t]
		dense := true
		for i, c := range cs {
			if c.value != int64(i) {
				dense = false
			}
		}
		if dense {
			fmt.Fprintf(&b, "\tNum%s = %d\n", t, len(cs))
		}
	}
	b.WriteString(")\n")
	return gofmt(enumNamesPath, b.Bytes())
}
