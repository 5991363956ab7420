// Command genfake writes the boilerplate of trtc's recording fake of
// TensorRT (cgo/tensorrt/testdata/fake) from the TensorRT headers it is
// given, so the fake compiles against every header version although
// TensorRT's implementation interfaces differ between them:
//
//   - for every class of NvInferImpl.h's namespace apiv (VNetworkDefinition,
//     VBuilder, VTensor, VLayer, the per-layer V*Layer classes, ...) a class
//     Gen<V> that overrides each pure virtual method. A one-argument setter
//     of a V*Layer class records its argument under the setter's name in
//     snake case (setStrideNd -> "stride_nd") through the class's Owner
//     (one that returns bool, such as setSampleMode, then returns true);
//     every other method reports itself to fake::unexpected (so a test sees
//     any TensorRT call the fake does not implement) and returns a
//     value-initialized result.
//   - for every enum class of namespace nvinfer1, fake::enumName, which
//     gives an enumerator's name without its "k" ("NEG").
//
// make check-tensorrt runs it at check time (the headers are never in the
// repository); the hand-written part of the fake derives from the Gen
// classes.
//
// Usage: genfake -include DIR -o FILE
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

func main() {
	include := flag.String("include", "", "TensorRT include directory (NvInferImpl.h)")
	out := flag.String("o", "", "output header")
	flag.Parse()
	if *include == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: genfake -include DIR -o FILE")
		os.Exit(2)
	}
	impl, err := os.ReadFile(filepath.Join(*include, "NvInferImpl.h"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "genfake:", err)
		os.Exit(1)
	}
	var enumSrc [][]byte
	for _, f := range []string{"NvInferRuntimeBase.h", "NvInferImpl.h", "NvInferRuntime.h", "NvInfer.h"} {
		b, err := os.ReadFile(filepath.Join(*include, f))
		if err != nil {
			fmt.Fprintln(os.Stderr, "genfake:", err)
			os.Exit(1)
		}
		enumSrc = append(enumSrc, b)
	}
	src, err := generate(impl, enumSrc)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genfake:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genfake:", err)
		os.Exit(1)
	}
}

// method is one pure virtual method of an apiv class.
type method struct {
	ret    string   // return type, as written
	name   string   // method name
	params []string // parameter types, names removed
	quals  string   // "const noexcept", "noexcept", ...
}

// class is an apiv class, with the preprocessor lines around its methods
// kept in place (entries whose directive is set).
type class struct {
	name    string
	entries []entry
}

type entry struct {
	directive string
	m         *method
}

// item is a top-level piece of namespace apiv: a class or a directive.
type item struct {
	directive string
	c         *class
}

var lineComment = regexp.MustCompile(`//.*$`)

// parseImpl reads the classes of namespace apiv.
func parseImpl(src []byte) ([]item, error) {
	var items []item
	in := false
	var cur *class
	var stmt strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		raw := sc.Text()
		line := strings.TrimSpace(lineComment.ReplaceAllString(raw, ""))
		if !in {
			if line == "namespace apiv" {
				in = true
			}
			continue
		}
		switch {
		case line == "" || line == "{" || line == "public:":
			continue
		case strings.HasPrefix(line, "#"):
			if cur != nil {
				cur.entries = append(cur.entries, entry{directive: line})
			} else {
				items = append(items, item{directive: line})
			}
			continue
		case cur == nil && strings.HasPrefix(line, "} // namespace apiv"), cur == nil && line == "}":
			return items, nil
		case cur == nil && strings.HasPrefix(line, "class "):
			f := strings.Fields(line)
			cur = &class{name: strings.TrimSuffix(f[1], ";")}
			if strings.HasSuffix(line, ";") { // a forward declaration
				cur = nil
			}
			continue
		case cur != nil && strings.HasPrefix(line, "};"):
			items = append(items, item{c: cur})
			cur = nil
			continue
		case cur == nil:
			continue
		}
		stmt.WriteString(line)
		stmt.WriteByte(' ')
		if !strings.HasSuffix(line, ";") {
			continue
		}
		s := strings.TrimSpace(stmt.String())
		stmt.Reset()
		if strings.HasPrefix(s, "virtual ~") {
			continue
		}
		m, err := parseMethod(s)
		if err != nil {
			return nil, fmt.Errorf("class %s: %w", cur.name, err)
		}
		if m != nil {
			cur.entries = append(cur.entries, entry{m: m})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("namespace apiv not found or not closed")
}

var attrs = regexp.MustCompile(`\b(TRT_NODISCARD|TRT_DEPRECATED|TRT_DEPRECATED_API|\[\[nodiscard\]\])\s*`)

// parseMethod parses "virtual RET NAME(PARAMS) QUALS = 0;"; a statement
// that is not a pure virtual method gives nil.
func parseMethod(s string) (*method, error) {
	s = strings.TrimSpace(attrs.ReplaceAllString(s, ""))
	if !strings.HasPrefix(s, "virtual ") {
		return nil, nil
	}
	if !regexp.MustCompile(`=\s*0\s*;$`).MatchString(s) {
		return nil, fmt.Errorf("virtual method that is not pure: %q", s)
	}
	s = strings.TrimSpace(strings.TrimPrefix(s, "virtual "))
	s = strings.TrimSpace(regexp.MustCompile(`=\s*0\s*;$`).ReplaceAllString(s, ""))
	open := strings.Index(s, "(")
	if open < 0 {
		return nil, fmt.Errorf("no parameter list: %q", s)
	}
	depth, closeAt := 0, -1
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 && closeAt < 0 {
				closeAt = i
			}
		}
	}
	if closeAt < 0 {
		return nil, fmt.Errorf("unbalanced parentheses: %q", s)
	}
	head := strings.TrimSpace(s[:open])
	sp := strings.LastIndexAny(head, " *&")
	if sp < 0 {
		return nil, fmt.Errorf("no return type: %q", s)
	}
	m := &method{ret: strings.TrimSpace(head[:sp+1]), name: head[sp+1:], quals: strings.TrimSpace(s[closeAt+1:])}
	for _, p := range splitParams(s[open+1 : closeAt]) {
		m.params = append(m.params, paramType(p))
	}
	return m, nil
}

func splitParams(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" || s == "void" {
		return nil
	}
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '<':
			depth++
		case ')', '>':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

var ident = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// paramType removes a parameter's name, if it has one: the last word of a
// parameter of more than one word that does not end in * or &.
func paramType(p string) string {
	if i := strings.Index(p, "="); i >= 0 { // a default argument
		p = p[:i]
	}
	p = strings.Join(strings.Fields(p), " ")
	if strings.HasSuffix(p, "*") || strings.HasSuffix(p, "&") {
		return p
	}
	i := strings.LastIndexAny(p, " *&")
	if i < 0 {
		return p
	}
	last := p[i+1:]
	if !ident.MatchString(last) || last == "const" {
		return p
	}
	return strings.TrimSpace(p[:i+1])
}

// snake turns "StrideNd" into "stride_nd".
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r - 'A' + 'a')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isLayerClass says whether setters of apiv class c describe a layer's
// settings (VConvolutionLayer, ...), as opposed to VLayer's own, the
// network's or the builder's.
func isLayerClass(c string) bool {
	return strings.HasSuffix(c, "Layer") && c != "VLayer" || c == "VLoop" || c == "VIfConditional" || c == "VAttention"
}

func emitClass(b *bytes.Buffer, c *class) {
	fmt.Fprintf(b, "class Gen%s : public nvinfer1::apiv::%s\n{\npublic:\n    Owner* owner{nullptr};\n", c.name, c.name)
	for _, e := range c.entries {
		if e.directive != "" {
			fmt.Fprintf(b, "%s\n", e.directive)
			continue
		}
		m := e.m
		var ps, uses []string
		for i, p := range m.params {
			ps = append(ps, fmt.Sprintf("%s a%d", p, i))
			uses = append(uses, fmt.Sprintf("(void) a%d;", i))
		}
		fmt.Fprintf(b, "    %s %s(%s) %s override\n    {\n", m.ret, m.name, strings.Join(ps, ", "), m.quals)
		if isLayerClass(c.name) && strings.HasPrefix(m.name, "set") && len(m.name) > 3 && len(m.params) == 1 && m.ret == "void" {
			fmt.Fprintf(b, "        if (owner != nullptr) { owner->set(%q, json(a0)); return; }\n", snake(m.name[3:]))
		}
		// A setter that reports success (IGridSampleLayer::setSampleMode)
		// is recorded and succeeds; TensorRT's refusals are the reference
		// backend's rules to model.
		if isLayerClass(c.name) && strings.HasPrefix(m.name, "set") && len(m.name) > 3 && len(m.params) == 1 && m.ret == "bool" {
			fmt.Fprintf(b, "        if (owner != nullptr) { owner->set(%q, json(a0)); return true; }\n", snake(m.name[3:]))
		}
		if len(uses) > 0 {
			fmt.Fprintf(b, "        %s\n", strings.Join(uses, " "))
		}
		fmt.Fprintf(b, "        unexpected(\"%s::%s\");\n", c.name, m.name)
		switch {
		case m.ret == "void":
		case strings.HasSuffix(m.ret, "&"):
			b.WriteString("        std::abort();\n")
		default:
			b.WriteString("        return {};\n")
		}
		b.WriteString("    }\n")
	}
	b.WriteString("};\n\n")
}

// enum is an enum class of namespace nvinfer1; enumerators may sit between
// preprocessor lines (kept in values as "#..." entries).
type enum struct {
	name   string
	values []string
}

var enumHead = regexp.MustCompile(`^enum class ([A-Za-z_][A-Za-z0-9_]*)\b`)
var nsOpen = regexp.MustCompile(`^namespace ([A-Za-z_][A-Za-z0-9_]*)\s*(\{.*)?$`)
var enumerator = regexp.MustCompile(`^(?:TRT_DEPRECATED_ENUM\s*)?(k[A-Za-z0-9_]*)\b`)

// parseEnums reads the enum classes declared directly in namespace
// nvinfer1 (not its nested namespaces or classes), following braces.
func parseEnums(src []byte) []enum {
	var out []enum
	var stack []string // what each open brace opened: a namespace name, or ""
	pendingNS, pendingEnum := "", ""
	var cur *enum
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(lineComment.ReplaceAllString(sc.Text(), ""))
		if cur != nil {
			if strings.HasPrefix(line, "};") {
				out = append(out, *cur)
				cur = nil
				stack = stack[:len(stack)-1]
				continue
			}
			if strings.HasPrefix(line, "#") {
				cur.values = append(cur.values, line)
				continue
			}
			for _, part := range strings.Split(line, ",") {
				if m := enumerator.FindStringSubmatch(strings.TrimSpace(part)); m != nil {
					cur.values = append(cur.values, m[1])
				}
			}
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		if m := nsOpen.FindStringSubmatch(line); m != nil {
			pendingNS = m[1]
		}
		if m := enumHead.FindStringSubmatch(line); m != nil && !strings.HasSuffix(line, ";") &&
			len(stack) == 1 && stack[0] == "nvinfer1" {
			pendingEnum = m[1]
		}
		for _, c := range line {
			switch c {
			case '{':
				stack = append(stack, pendingNS)
				pendingNS = ""
				if pendingEnum != "" {
					cur = &enum{name: pendingEnum}
					pendingEnum = ""
				}
			case '}':
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
			}
		}
	}
	return out
}

func generate(impl []byte, enumSrc [][]byte) ([]byte, error) {
	items, err := parseImpl(impl)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`// Code generated by cgo/tensorrt/internal/genfake from TensorRT's headers at check time; DO NOT EDIT.
// (make check-tensorrt writes it under .headers/; it is never committed.)
#pragma once
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace fake
{
using namespace nvinfer1;

`)
	seen := map[string]bool{}
	for _, src := range enumSrc {
		for _, e := range parseEnums(src) {
			if seen[e.name] {
				continue
			}
			seen[e.name] = true
			fmt.Fprintf(&b, "inline char const* enumName(nvinfer1::%s v)\n{\n", e.name)
			for _, v := range e.values {
				if strings.HasPrefix(v, "#") {
					fmt.Fprintf(&b, "%s\n", v)
					continue
				}
				fmt.Fprintf(&b, "    if (v == nvinfer1::%s::%s) return %q;\n", e.name, v, strings.TrimPrefix(v, "k"))
			}
			b.WriteString("    return \"?\";\n}\n\n")
		}
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("no enum class found in namespace nvinfer1")
	}
	b.WriteString("} // namespace fake\n\n#include \"fake_json.h\"\n\nnamespace fake\n{\n\n")
	n := 0
	for _, it := range items {
		if it.directive != "" {
			fmt.Fprintf(&b, "%s\n", it.directive)
			continue
		}
		emitClass(&b, it.c)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("no class found in namespace apiv")
	}
	b.WriteString("} // namespace fake\n#pragma GCC diagnostic pop\n")
	return b.Bytes(), nil
}
