package tensorio

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Every dtype .npy lacks goes to .pb under auto and comes back unchanged;
// npy-f32 widens it exactly; npy refuses it.
func TestWriteOutputFormats(t *testing.T) {
	dir := t.TempDir()
	vals := []float64{0, 1, -2, 0.5, 3, -1}
	for _, dt := range []ir.DType{ir.BFloat16, ir.Float8E4M3FN, ir.Float8E4M3FNUZ, ir.Float8E5M2, ir.Float8E5M2FNUZ,
		ir.Float8E8M0, ir.Float4E2M1, ir.Int4, ir.Uint4, ir.Int2, ir.Uint2, ir.Float32, ir.Float16} {
		src := ir.NewTensor(dt, []int64{2, 3})
		for i, v := range vals {
			src.SetFloat(i, v)
		}
		path, err := WriteOutput(dir, dt.String(), "y", src, FormatAuto)
		if err != nil {
			t.Fatalf("%v: %v", dt, err)
		}
		if want := NPYHas(dt); (filepath.Ext(path) == ".npy") != want {
			t.Errorf("%v: auto wrote %s", dt, path)
		}
		back, _, err := ReadAuto(path)
		if err != nil {
			t.Fatalf("%v: %v", dt, err)
		}
		if d := Diff(back, src, 0, 0); !d.OK || string(back.Data) != string(src.Data) {
			t.Errorf("%v: read back %v: %s", dt, back, d)
		}
		f32path, err := WriteOutput(dir, dt.String()+"_f32", "y", src, FormatNPYF32)
		if err != nil {
			t.Fatalf("%v npy-f32: %v", dt, err)
		}
		w, err := ReadNPY(f32path)
		if err != nil {
			t.Fatal(err)
		}
		for i := range vals {
			if w.Float(i) != src.Float(i) {
				t.Errorf("%v npy-f32 element %d = %v, want %v", dt, i, w.Float(i), src.Float(i))
			}
		}
		if _, err := WriteOutput(dir, dt.String()+"_npy", "y", src, FormatNPY); (err != nil) == NPYHas(dt) {
			t.Errorf("%v: format npy gave error %v", dt, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "bfloat16_npy.npy")); err == nil {
		t.Error("a refused .npy output left a file behind")
	}
	if _, err := ParseOutputFormat("csv"); err == nil {
		t.Error("output format csv was accepted")
	}
}
