package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/network/kinddef"
)

const root = "../../../.."

// TestTablesUpToDate fails when enumcheck.h or docs/backends.md differ
// from what `make tables` writes, or when a backend lacks a method
// (generate refuses it).
func TestTablesUpToDate(t *testing.T) {
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(root, f.path))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, f.data) {
			t.Errorf("%s is out of date: run make tables", f.path)
		}
	}
}

// TestTableCoversEveryMethod checks the table's rows against the
// interface's methods, each with both backends filled in.
func TestTableCoversEveryMethod(t *testing.T) {
	table, err := backendsTable(root, filepath.Join(root, trtNetwork), kinddef.Kinds)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"AddConvolutionNd", "AddTopK", "MarkOutput", "AddInput", "Err"} {
		if !strings.Contains(string(table), "| `"+m+"` |") {
			t.Errorf("table lacks %s", m)
		}
	}
	for _, row := range []string{
		"| `AddConvolutionNd` | Convolution | yes | `trtc_add_convolution` |",
		"| `AddGatherND` | Gather | yes | `trtc_add_gather_nd` |",
		"| `AddResize` | Resize | yes | `trtc_add_resize` |",
		"| `AddDeconvolutionNd` | Deconvolution | yes | `trtc_add_deconvolution` |",
		"| `AddScatter` | Scatter | yes | `trtc_add_scatter` |",
	} {
		if !strings.Contains(string(table), row) {
			t.Errorf("table lacks the row %s:\n%s", row, table)
		}
	}
}

// TestTableRefusesMissingMethod runs the parser over a network.go without
// AddTopK and one whose AddUnary never calls the shim.
func TestTableRefusesMissingMethod(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(root, trtNetwork))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(src), "func (n *Network) AddTopK(", "func (n *Network) addTopKGone(", 1)
	s = strings.Replace(s, "return C.trtc_add_unary(n.b, name, in[0], C.int32_t(op), out)", "return C.trtc_status{}", 1)
	p := filepath.Join(t.TempDir(), "network.go")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = backendsTable(root, p, kinddef.Kinds)
	if err == nil || !strings.Contains(err.Error(), "tensorrt: AddUnary") || !strings.Contains(err.Error(), "tensorrt: AddTopK") {
		t.Fatalf("got %v, want AddUnary and AddTopK reported", err)
	}
}

func TestEnumCheckRefusesUnknownType(t *testing.T) {
	p := filepath.Join(t.TempDir(), "enums.go")
	os.WriteFile(p, []byte("package network\ntype WidgetMode int32\nconst WidgetELEMENT WidgetMode = 1\n"), 0o644)
	if _, err := enumCheck(p); err == nil || !strings.Contains(err.Error(), "WidgetMode has no TensorRT name") {
		t.Fatalf("got %v", err)
	}
}
