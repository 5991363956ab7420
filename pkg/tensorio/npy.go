package tensorio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/trtc-dev/trtc/internal/safefile"
	"io"
	"math"
	"math/bits"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/trtc-dev/trtc/internal/atomicfile"
	"github.com/trtc-dev/trtc/pkg/frontend/onnx"
	"github.com/trtc-dev/trtc/pkg/ir"
)

const npyMagic = "\x93NUMPY"

// ReadNPY reads a .npy file.
func ReadNPY(path string) (*ir.Tensor, error) {
	data, err := safefile.ReadFile(path, 0)
	if err != nil {
		return nil, err
	}
	t, err := DecodeNPY(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// WriteNPY writes t to path as a .npy file that numpy.load reads.
func WriteNPY(path string, t *ir.Tensor) error {
	var buf bytes.Buffer
	if err := EncodeNPY(&buf, t); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteFile(path, buf.Bytes(), 0o644)
}

// ReadAuto reads a tensor file of either kind: .npy when the content starts
// with NumPy's magic string, otherwise an ONNX TensorProto (.pb). The name is
// the TensorProto's name, or for .npy the file name without extension.
func ReadAuto(path string) (*ir.Tensor, string, error) {
	data, err := safefile.ReadFile(path, 0)
	if err != nil {
		return nil, "", err
	}
	if bytes.HasPrefix(data, []byte(npyMagic)) || strings.EqualFold(filepath.Ext(path), ".npy") {
		t, err := DecodeNPY(data)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
		return t, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), nil
	}
	t, name, err := onnx.ParseTensorFile(data, filepath.Dir(path))
	if err != nil {
		return nil, name, fmt.Errorf("%s: %w", path, err)
	}
	return t, name, nil
}

var npyTypes = map[string]ir.DType{
	"f2": ir.Float16, "f4": ir.Float32, "f8": ir.Float64,
	"i1": ir.Int8, "i2": ir.Int16, "i4": ir.Int32, "i8": ir.Int64,
	"u1": ir.Uint8, "u2": ir.Uint16, "u4": ir.Uint32, "u8": ir.Uint64,
	"b1": ir.Bool,
}

func npyDescr(dt ir.DType) (string, error) {
	for code, d := range npyTypes {
		if d == dt {
			if dt.Size() == 1 {
				return "|" + code, nil
			}
			return "<" + code, nil
		}
	}
	if dt == ir.BFloat16 {
		return "", errors.New("npy has no bfloat16 type; cast the tensor to float32 first")
	}
	return "", fmt.Errorf("npy cannot hold %v tensors", dt)
}

// DecodeNPY parses the bytes of a .npy file.
func DecodeNPY(data []byte) (*ir.Tensor, error) {
	if !bytes.HasPrefix(data, []byte(npyMagic)) || len(data) < 10 {
		return nil, errors.New("not a .npy file (no \\x93NUMPY magic)")
	}
	major := data[6]
	var hlen, start int
	switch major {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(data[8:10])), 10
	case 2, 3:
		if len(data) < 12 {
			return nil, errors.New("truncated .npy header")
		}
		n := binary.LittleEndian.Uint32(data[8:12])
		if uint64(n) > uint64(len(data)) {
			return nil, fmt.Errorf(".npy header length %d exceeds the file", n)
		}
		hlen, start = int(n), 12
	default:
		return nil, fmt.Errorf("unsupported .npy format version %d.%d", major, data[7])
	}
	if start+hlen > len(data) {
		return nil, errors.New("truncated .npy header")
	}
	h, err := parseHeader(string(data[start : start+hlen]))
	if err != nil {
		return nil, fmt.Errorf(".npy header: %w", err)
	}
	dt, err := h.dtype()
	if err != nil {
		return nil, err
	}
	numel := uint64(1)
	for _, d := range h.shape {
		hi, lo := bits.Mul64(numel, uint64(d))
		if hi != 0 || lo > math.MaxInt64/8 {
			return nil, fmt.Errorf(".npy shape %v is too large", h.shape)
		}
		numel = lo
	}
	body := data[start+hlen:]
	want := numel * uint64(dt.Size())
	if uint64(len(body)) < want {
		return nil, fmt.Errorf(".npy data is truncated: %v%v needs %d bytes, file has %d", dt, h.shape, want, len(body))
	}
	if uint64(len(body)) > want {
		return nil, fmt.Errorf(".npy file has %d bytes after the %v%v data (object arrays and concatenated arrays are not supported)", uint64(len(body))-want, dt, h.shape)
	}
	t, err := ir.NewTensorChecked(".npy data", dt, h.shape)
	if err != nil {
		return nil, err
	}
	if h.fortran && len(h.shape) > 1 {
		fromFortran(t.Data, body, h.shape, dt.Size())
	} else {
		copy(t.Data, body)
	}
	if dt == ir.Bool {
		for i, b := range t.Data {
			if b != 0 {
				t.Data[i] = 1
			}
		}
	}
	return t, nil
}

// fromFortran copies column-major src into row-major dst.
func fromFortran(dst, src []byte, shape []int64, size int) {
	rank := len(shape)
	idx := make([]int64, rank)
	// Row-major strides of dst, walked in src's (column-major) order.
	strides := make([]int64, rank)
	s := int64(size)
	for i := rank - 1; i >= 0; i-- {
		strides[i] = s
		s *= shape[i]
	}
	n := len(src) / size
	for k := 0; k < n; k++ {
		off := int64(0)
		for i := range idx {
			off += idx[i] * strides[i]
		}
		copy(dst[off:off+int64(size)], src[k*size:(k+1)*size])
		for i := 0; i < rank; i++ { // first index varies fastest
			idx[i]++
			if idx[i] < shape[i] {
				break
			}
			idx[i] = 0
		}
	}
}

type npyHeader struct {
	descr   string
	fortran bool
	shape   []int64
}

func (h *npyHeader) dtype() (ir.DType, error) {
	if len(h.descr) < 2 {
		return 0, fmt.Errorf(".npy dtype %q is not supported", h.descr)
	}
	order, code := h.descr[0], h.descr[1:]
	if !strings.ContainsRune("<>|=", rune(order)) {
		order, code = '|', h.descr
	}
	dt, ok := npyTypes[code]
	if !ok {
		if code == "V2" {
			return 0, fmt.Errorf(".npy dtype %q (raw 2-byte void, as some tools write bfloat16) is not supported; save the array as float32", h.descr)
		}
		return 0, fmt.Errorf(".npy dtype %q is not supported (want one of f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1)", h.descr)
	}
	if order == '>' && dt.Size() > 1 {
		return 0, fmt.Errorf(".npy dtype %q is big-endian; trtc reads little-endian arrays only (save arr.astype('<%s'))", h.descr, code)
	}
	return dt, nil
}

// parseHeader reads the Python dict literal of a .npy header:
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
func parseHeader(s string) (*npyHeader, error) {
	p := &pyParser{s: strings.TrimSpace(s)}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if p.skip(); p.i != len(p.s) {
		return nil, fmt.Errorf("trailing text %q", p.s[p.i:])
	}
	dict, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a dict")
	}
	h := &npyHeader{}
	descr, ok := dict["descr"].(string)
	if !ok {
		return nil, errors.New("'descr' is missing or not a string (structured dtypes are not supported)")
	}
	h.descr = descr
	if h.fortran, ok = dict["fortran_order"].(bool); !ok {
		return nil, errors.New("'fortran_order' is missing or not a bool")
	}
	shape, ok := dict["shape"].([]any)
	if !ok {
		return nil, errors.New("'shape' is missing or not a tuple")
	}
	for _, d := range shape {
		n, ok := d.(int64)
		if !ok || n < 0 {
			return nil, fmt.Errorf("shape has a bad dim %v", d)
		}
		h.shape = append(h.shape, n)
	}
	if h.shape == nil {
		h.shape = []int64{}
	}
	return h, nil
}

// pyParser parses the few Python literals .npy headers use: dicts, tuples,
// strings, ints, True and False.
type pyParser struct {
	s     string
	i     int
	depth int
}

func (p *pyParser) skip() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) value() (any, error) {
	p.skip()
	if p.i >= len(p.s) {
		return nil, io.ErrUnexpectedEOF
	}
	if p.depth++; p.depth > 8 {
		return nil, errors.New("nested too deeply")
	}
	defer func() { p.depth-- }()
	switch c := p.s[p.i]; {
	case c == '{':
		p.i++
		m := map[string]any{}
		for {
			p.skip()
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return m, nil
			}
			k, err := p.value()
			if err != nil {
				return nil, err
			}
			key, ok := k.(string)
			if !ok {
				return nil, errors.New("dict key is not a string")
			}
			if p.skip(); p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, errors.New("expected ':'")
			}
			p.i++
			if m[key], err = p.value(); err != nil {
				return nil, err
			}
			if err := p.sep('}'); err != nil {
				return nil, err
			}
		}
	case c == '(' || c == '[':
		end := byte(')')
		if c == '[' {
			end = ']'
		}
		p.i++
		list := []any{}
		for {
			p.skip()
			if p.i < len(p.s) && p.s[p.i] == end {
				p.i++
				return list, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			list = append(list, v)
			if err := p.sep(end); err != nil {
				return nil, err
			}
		}
	case c == '\'' || c == '"':
		j := strings.IndexByte(p.s[p.i+1:], c)
		if j < 0 {
			return nil, errors.New("unterminated string")
		}
		v := p.s[p.i+1 : p.i+1+j]
		p.i += j + 2
		return v, nil
	case c == '-' || c >= '0' && c <= '9':
		j := p.i + 1
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		if j < len(p.s) && p.s[j] == 'L' { // Python 2 long
			defer func() { p.i++ }()
		}
		n, err := strconv.ParseInt(p.s[p.i:j], 10, 64)
		if err != nil {
			return nil, err
		}
		p.i = j
		return n, nil
	case strings.HasPrefix(p.s[p.i:], "True"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "False"):
		p.i += 5
		return false, nil
	}
	return nil, fmt.Errorf("unexpected %q", p.s[p.i:min(len(p.s), p.i+10)])
}

// sep consumes a ',' or peeks the closing bracket.
func (p *pyParser) sep(end byte) error {
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == ',' {
		p.i++
		return nil
	}
	if p.i < len(p.s) && p.s[p.i] == end {
		return nil
	}
	return fmt.Errorf("expected ',' or %q", end)
}

// EncodeNPY writes t in .npy format.
func EncodeNPY(w io.Writer, t *ir.Tensor) error {
	descr, err := npyDescr(t.DType)
	if err != nil {
		return err
	}
	// Checked arithmetic: a shape whose element count overflows int64 must
	// not pass for an empty one (a header claiming data the file lacks).
	if err := t.Validate("tensor"); err != nil {
		return err
	}
	dims := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		dims[i] = strconv.FormatInt(d, 10)
	}
	shape := "(" + strings.Join(dims, ", ")
	if len(dims) == 1 {
		shape += ","
	}
	shape += ")"
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	// Pad with spaces so that data starts on a 64-byte boundary.
	header := func(prefix int) []byte {
		total := prefix + len(dict) + 1
		pad := (64 - total%64) % 64
		return []byte(dict + strings.Repeat(" ", pad) + "\n")
	}
	var out []byte
	if h := header(10); len(h) <= math.MaxUint16 {
		out = append([]byte(npyMagic), 1, 0)
		out = binary.LittleEndian.AppendUint16(out, uint16(len(h)))
		out = append(out, h...)
	} else {
		h = header(12)
		out = append([]byte(npyMagic), 2, 0)
		out = binary.LittleEndian.AppendUint32(out, uint32(len(h)))
		out = append(out, h...)
	}
	if _, err := w.Write(out); err != nil {
		return err
	}
	_, err = w.Write(t.Data)
	return err
}
