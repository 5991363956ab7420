package tensorio

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"github.com/trtc-dev/trtc/internal/sizes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/trtc-dev/trtc/internal/testenv"
	"github.com/trtc-dev/trtc/pkg/frontend/onnx"
	"github.com/trtc-dev/trtc/pkg/ir"
	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

// python is an interpreter with numpy, or "" (plain python3 on PATH may lack
// it; the system one has it).
func python(t *testing.T) string {
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import numpy").Run() == nil {
			return py
		}
	}
	t.Skip("no python3 with numpy")
	return ""
}

func allDTypes() []*ir.Tensor {
	mk := func(dt ir.DType, shape []int64, vals ...float64) *ir.Tensor {
		t := ir.NewTensor(dt, shape)
		for i, v := range vals {
			t.SetFloat(i, v)
		}
		return t
	}
	return []*ir.Tensor{
		mk(ir.Float32, []int64{2, 3}, 1, -2, 3.5, 0, 1e-3, 7),
		mk(ir.Float64, []int64{3}, 1.25, -1e300, 0),
		mk(ir.Float16, []int64{2}, 0.5, -65504),
		mk(ir.Int8, []int64{3}, -128, 0, 127),
		mk(ir.Int16, []int64{1, 2}, -300, 300),
		mk(ir.Int32, []int64{2}, -1<<31, 5),
		mk(ir.Int64, []int64{2}, -1<<50, 1<<50),
		mk(ir.Uint8, []int64{2}, 0, 255),
		mk(ir.Uint16, []int64{1}, 65535),
		mk(ir.Uint32, []int64{1}, 1<<32-1),
		mk(ir.Uint64, []int64{1}, 1<<60),
		mk(ir.Bool, []int64{3}, 1, 0, 1),
		mk(ir.Float32, nil, 42),                // 0-d
		mk(ir.Int64, []int64{0, 3}),            // empty
		mk(ir.Float32, []int64{1, 1, 1, 1}, 9), // rank 4
	}
}

func TestNPYRoundTrip(t *testing.T) {
	for _, want := range allDTypes() {
		var buf bytes.Buffer
		if err := EncodeNPY(&buf, want); err != nil {
			t.Fatal(err)
		}
		if buf.Len()%64 != int(want.Numel()*int64(want.DType.Size()))%64 {
			t.Errorf("%v: data does not start on a 64-byte boundary", want)
		}
		got, err := DecodeNPY(buf.Bytes())
		if err != nil {
			t.Fatalf("%v: %v", want, err)
		}
		if got.DType != want.DType || !reflect.DeepEqual(ir.S(got.Shape...), ir.S(want.Shape...)) || !bytes.Equal(got.Data, want.Data) {
			t.Errorf("round trip %v -> %v", want, got)
		}
	}
}

// TestNumpyReadsOurs writes every dtype and has numpy load it and print it.
func TestNumpyReadsOurs(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	var expect []string
	for i, tt := range allDTypes() {
		path := filepath.Join(dir, fmt.Sprintf("%02d.npy", i))
		if err := WriteNPY(path, tt); err != nil {
			t.Fatal(err)
		}
		expect = append(expect, fmt.Sprintf("%s %v %v", path, tt.Shape, tt.Floats()))
	}
	script := `
import sys, glob, numpy as np
for p in sorted(glob.glob(sys.argv[1] + "/*.npy")):
    a = np.load(p)
    print(p, a.dtype.str, list(a.shape), [float(x) for x in a.reshape(-1)])
`
	out, err := exec.Command(py, "-c", script, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(expect) {
		t.Fatalf("numpy printed %d lines, want %d:\n%s", len(lines), len(expect), out)
	}
	for i, line := range lines {
		f := strings.SplitN(line, " ", 3)
		tt := allDTypes()[i]
		descr, _ := npyDescr(tt.DType)
		if f[1] != descr {
			t.Errorf("%s: numpy dtype %s, want %s", f[0], f[1], descr)
		}
		var vals []string
		for _, v := range tt.Floats() {
			vals = append(vals, pyFloat(v))
		}
		shape := strings.Trim(strings.ReplaceAll(fmt.Sprint(tt.Shape), " ", ", "), "")
		want := shape + " [" + strings.Join(vals, ", ") + "]"
		if f[2] != want {
			t.Errorf("%s: numpy read %s, want %s", f[0], f[2], want)
		}
	}
}

func pyFloat(v float64) string {
	out, _ := exec.Command("/usr/bin/python3", "-c", fmt.Sprintf("print(repr(float(%v)))", v)).Output()
	return strings.TrimSpace(string(out))
}

// TestWeReadNumpys reads files numpy writes: header versions, Fortran order,
// big-endian, 0-d.
func TestWeReadNumpys(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	script := `
import sys, numpy as np
from numpy.lib import format as f
d = sys.argv[1]
a = np.arange(24, dtype='<f4').reshape(2, 3, 4)
np.save(d + '/c.npy', a)
np.save(d + '/fortran.npy', np.asfortranarray(a))
np.save(d + '/big.npy', a.astype('>f4'))
np.save(d + '/scalar.npy', np.float64(2.5))
np.save(d + '/bool.npy', np.array([True, False, True]))
np.save(d + '/u2.npy', np.array([1, 65535], dtype='<u2'))
for v in [(2, 0), (3, 0)]:
    with open(d + '/v%d.npy' % v[0], 'wb') as fh:
        f.write_array(fh, a, version=v)
`
	if out, err := exec.Command(py, "-c", script, dir).CombinedOutput(); err != nil {
		t.Fatalf("numpy: %v\n%s", err, out)
	}
	want := make([]float64, 24)
	for i := range want {
		want[i] = float64(i)
	}
	for _, name := range []string{"c", "fortran", "v2", "v3"} {
		tt, err := ReadNPY(filepath.Join(dir, name+".npy"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if tt.DType != ir.Float32 || !reflect.DeepEqual(tt.Shape, []int64{2, 3, 4}) || !reflect.DeepEqual(tt.Floats(), want) {
			t.Errorf("%s: %v %v", name, tt, tt.Floats())
		}
	}
	_, err := ReadNPY(filepath.Join(dir, "big.npy"))
	if err == nil || !strings.Contains(err.Error(), "big-endian") || !strings.Contains(err.Error(), "big.npy") {
		t.Errorf("big-endian: %v", err)
	}
	s, err := ReadNPY(filepath.Join(dir, "scalar.npy"))
	if err != nil || len(s.Shape) != 0 || s.DType != ir.Float64 || s.Float(0) != 2.5 {
		t.Errorf("scalar: %v %v", s, err)
	}
	b, name, err := ReadAuto(filepath.Join(dir, "bool.npy"))
	if err != nil || b.DType != ir.Bool || !reflect.DeepEqual(b.Data, []byte{1, 0, 1}) || name != "bool" {
		t.Errorf("bool: %v %q %v", b, name, err)
	}
	u, err := ReadNPY(filepath.Join(dir, "u2.npy"))
	if err != nil || u.Float(1) != 65535 {
		t.Errorf("u2: %v %v", u, err)
	}
}

func npyBytes(header string, body []byte) []byte {
	b := append([]byte(npyMagic), 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	return append(append(b, header...), body...)
}

func TestNPYErrors(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"not npy", []byte("hello world"), "not a .npy file"},
		{"version", append([]byte(npyMagic), 9, 0, 0, 0), "format version 9.0"},
		{"short header", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", nil)[:30], "truncated"},
		{"short data", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", make([]byte, 5)), "truncated"},
		{"extra data", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", make([]byte, 5)), "after the"},
		{"big endian", npyBytes("{'descr': '>i8', 'fortran_order': False, 'shape': (), }\n", make([]byte, 8)), "big-endian"},
		{"bfloat16", npyBytes("{'descr': '|V2', 'fortran_order': False, 'shape': (), }\n", make([]byte, 2)), "float32"},
		{"object", npyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (), }\n", nil), "not supported"},
		{"structured", npyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (), }\n", nil), "structured"},
		{"negative", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }\n", nil), "bad dim"},
		{"huge", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n", nil), "too large"},
		{"garbage dict", npyBytes("{'descr': '<f4', 'fortran_order': Maybe}\n", nil), "unexpected"},
	}
	for _, c := range cases {
		_, err := DecodeNPY(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	var buf bytes.Buffer
	if err := EncodeNPY(&buf, ir.NewTensor(ir.BFloat16, []int64{1})); err == nil || !strings.Contains(err.Error(), "bfloat16") {
		t.Errorf("bfloat16 write: %v", err)
	}
}

func FuzzDecodeNPY(f *testing.F) {
	for _, tt := range allDTypes() {
		var buf bytes.Buffer
		EncodeNPY(&buf, tt)
		f.Add(buf.Bytes())
	}
	f.Add(npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n", make([]byte, 16)))
	f.Fuzz(func(t *testing.T, data []byte) { DecodeNPY(data) })
}

func TestReadAutoTensorProto(t *testing.T) {
	dir := t.TempDir()
	tp := &onnxpb.TensorProto{Name: proto.String("x"), DataType: proto.Int32(1), Dims: []int64{2}, FloatData: []float32{1, 2}}
	b, _ := proto.Marshal(tp)
	path := filepath.Join(dir, "input_0.pb")
	os.WriteFile(path, b, 0o644)
	got, name, err := ReadAuto(path)
	if err != nil || name != "x" || got.Float(1) != 2 {
		t.Fatalf("%v %q %v", got, name, err)
	}
	os.WriteFile(path, []byte("junk"), 0o644)
	if _, _, err := ReadAuto(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("junk: %v", err)
	}
	// And the real test data, when it is there.
	root := testenv.FindNodeTests()
	if root == "" {
		return
	}
	x, _, err := ReadAuto(filepath.Join(root, "test_abs", "test_data_set_0", "input_0.pb"))
	if err != nil || x.DType != ir.Float32 {
		t.Errorf("test_abs input: %v %v", x, err)
	}
}

// FuzzTensorInput feeds mutated tensor files, .npy and ONNX TensorProto, to
// the readers `trtc run --input` uses: a tensor or an error, never a panic
// or an allocation past the data the file holds.
//
//	go test ./pkg/tensorio -run '^$' -fuzz FuzzTensorInput -fuzztime 30s
func FuzzTensorInput(f *testing.F) {
	sizes.SetBudget(256 << 20) // allocations past it are errors, not out-of-memory deaths
	for _, tt := range allDTypes() {
		var buf bytes.Buffer
		EncodeNPY(&buf, tt)
		f.Add(buf.Bytes())
	}
	for _, tp := range []*onnxpb.TensorProto{
		{Name: proto.String("x"), DataType: proto.Int32(1), Dims: []int64{2}, FloatData: []float32{1, 2}},
		{Name: proto.String("r"), DataType: proto.Int32(7), Dims: []int64{1, 2}, RawData: make([]byte, 16)},
		{Name: proto.String("b"), DataType: proto.Int32(9), Dims: []int64{3}, Int32Data: []int32{1, 0, 1}},
	} {
		b, _ := proto.Marshal(tp)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if tt, err := DecodeNPY(data); err == nil {
			if err := tt.Validate("decoded"); err != nil {
				t.Fatalf("DecodeNPY returned an inconsistent tensor: %v", err)
			}
			var buf bytes.Buffer
			if err := EncodeNPY(&buf, tt); err != nil && !strings.Contains(err.Error(), "not supported") && !strings.Contains(err.Error(), "bfloat16") {
				t.Fatalf("re-encoding: %v", err)
			}
		}
		if tt, _, err := onnx.ParseTensorFile(data, ""); err == nil {
			if err := tt.Validate("parsed"); err != nil {
				t.Fatalf("ParseTensorFile returned an inconsistent tensor: %v", err)
			}
		}
	})
}
