package sizes

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestMulAdd(t *testing.T) {
	for _, c := range []struct {
		a, b, want int64
		ok         bool
	}{
		{3, 4, 12, true}, {0, math.MaxInt64, 0, true}, {1 << 31, 1 << 31, 1 << 62, true},
		{1 << 32, 1 << 32, 0, false}, {3, 0x5555555555555556, 0, false}, {math.MaxInt64, 2, 0, false}, {-1, 2, 0, false},
	} {
		if got, ok := Mul(c.a, c.b); got != c.want || ok != c.ok {
			t.Errorf("Mul(%d, %d) = %d, %v; want %d, %v", c.a, c.b, got, ok, c.want, c.ok)
		}
	}
	if _, ok := Add(math.MaxInt64, 1); ok {
		t.Error("Add overflow passed")
	}
	if got, ok := Add(1<<62, 1<<62-1); !ok || got != math.MaxInt64 {
		t.Errorf("Add = %d, %v", got, ok)
	}
}

func TestNumelBytes(t *testing.T) {
	if n, err := Numel("x", []int64{1 << 32, 1 << 32, 0}); err != nil || n != 0 {
		t.Errorf("an empty dim anywhere gives 0 elements: %d, %v", n, err)
	}
	var se *Error
	if _, err := Numel(`tensor "w"`, []int64{3, 0x5555555555555556}); !errors.As(err, &se) || !strings.Contains(err.Error(), `tensor "w"`) || !strings.Contains(err.Error(), "overflows") {
		t.Errorf("overflow: %v", err)
	}
	if _, err := Numel("x", []int64{2, -3}); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("negative dim: %v", err)
	}
	if _, err := Bytes("x", []int64{1 << 62}, 4, "float32"); !errors.As(err, &se) || !strings.Contains(err.Error(), "float32[4611686018427387904]") {
		t.Errorf("byte overflow: %v", err)
	}
	if n, err := Bytes("x", []int64{2, 3}, 8, "int64"); err != nil || n != 48 {
		t.Errorf("Bytes = %d, %v", n, err)
	}
}

func TestBudget(t *testing.T) {
	defer SetBudget(0)
	defer SetTensorLimit(0)
	SetBudget(64 << 20)
	if Budget() != 64<<20 {
		t.Fatalf("Budget = %d", Budget())
	}
	if _, err := Alloc("small", []int64{1024}, 4, "float32"); err != nil {
		t.Error(err)
	}
	_, err := Alloc(`output "y"`, []int64{1 << 20, 1 << 10}, 4, "float32")
	var se *Error
	if !errors.As(err, &se) || !se.OverBudget() || !strings.Contains(err.Error(), `output "y" float32[1048576x1024]`) || !strings.Contains(err.Error(), "4294967296 bytes") || !strings.Contains(err.Error(), "memory budget") {
		t.Errorf("over budget: %v", err)
	}
	SetTensorLimit(1 << 20)
	if _, err := Alloc("t", []int64{1 << 19}, 4, "float32"); !errors.As(err, &se) || se.Kind != "tensor limit" {
		t.Errorf("over the tensor limit: %v", err)
	}
	SetBudget(0)
	if d := DefaultBudget(); Budget() != d || d <= 0 {
		t.Errorf("default budget %d, Budget %d", d, Budget())
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"4GiB": 4 << 30, "512MiB": 512 << 20, "1000": 1000, "2G": 2 << 30, "1.5 KiB": 1536, "3GB": 3e9} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1GiB", "NaN", "lots", "0", "1e30TiB"} {
		if _, err := ParseBytes(in); err == nil {
			t.Errorf("ParseBytes(%q) accepted", in)
		}
	}
}
