package kernels

import (
	"math"
	"math/rand"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// The Into kernels against the allocating kernels they stand in for, on
// random shapes (sizes that are not multiples of any vector width, size-1
// and broadcast dims, empty tensors), with NaNs in the float inputs: the
// results must be the same bits (any NaN matching any NaN).

func sameBits(t *testing.T, what string, got, want *ir.Tensor) {
	t.Helper()
	if got.DType != want.DType || !ir.S(got.Shape...).Equal(ir.S(want.Shape...)) {
		t.Fatalf("%s: got %v%v, want %v%v", what, got.DType, ir.S(got.Shape...), want.DType, ir.S(want.Shape...))
	}
	for i := 0; i < int(want.Numel()); i++ {
		g, w := got.Float(i), want.Float(i)
		if math.IsNaN(g) && math.IsNaN(w) {
			continue
		}
		if g != w || math.Signbit(g) != math.Signbit(w) {
			t.Fatalf("%s: element %d = %v, allocating kernel %v", what, i, g, w)
		}
	}
}

// randShape gives a random shape of rank r with dims in [0, 7) (0 only
// when zeros).
func randShape(rng *rand.Rand, r int, zeros bool) []int64 {
	s := make([]int64, r)
	for i := range s {
		s[i] = int64(1 + rng.Intn(6))
		if zeros && rng.Intn(25) == 0 {
			s[i] = 0
		}
	}
	return s
}

// broadcastPair derives from out two shapes that broadcast to it.
func broadcastPair(rng *rand.Rand, out []int64) (a, b []int64) {
	a, b = append([]int64{}, out...), append([]int64{}, out...)
	for i := range out {
		switch rng.Intn(4) {
		case 0:
			a[i] = 1
		case 1:
			b[i] = 1
		}
	}
	return a, b
}

func withNaNs(rng *rand.Rand, t *ir.Tensor) *ir.Tensor {
	if t.DType != ir.Float32 && t.DType != ir.Float64 {
		return t
	}
	for i := 0; i < int(t.Numel()); i++ {
		if rng.Intn(30) == 0 {
			t.SetFloat(i, math.NaN())
		}
	}
	return t
}

func randInts(rng *rand.Rand, dt ir.DType, shape []int64) *ir.Tensor {
	t := ir.NewTensor(dt, shape)
	for i := 0; i < int(t.Numel()); i++ {
		t.SetFloat(i, float64(rng.Intn(11)-5))
	}
	return t
}

func TestBinaryIntoMatchesBinary(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	ops := []BinaryOp{OpAdd, OpSub, OpMul, OpDiv, OpMax, OpMin, OpEqual, OpLess, OpGreater, OpLessEqual, OpGreaterEqual, OpFloorDiv}
	for it := 0; it < 600; it++ {
		dt := []ir.DType{ir.Float32, ir.Float32, ir.Float64, ir.Int32, ir.Int64}[rng.Intn(5)]
		op := ops[rng.Intn(len(ops))]
		out := randShape(rng, rng.Intn(6), true)
		as, bs := broadcastPair(rng, out)
		var a, b *ir.Tensor
		if dt.IsFloat() {
			a, b = withNaNs(rng, randTensor(rng, dt, as...)), withNaNs(rng, randTensor(rng, dt, bs...))
		} else {
			a, b = randInts(rng, dt, as), randInts(rng, dt, bs)
		}
		if op == OpFloorDiv && dt == ir.Float32 {
			continue // not covered: Binary runs
		}
		want, err := Binary(op, a, b)
		if err != nil {
			t.Fatal(err)
		}
		got := ir.NewTensor(want.DType, want.Shape)
		ok, err := BinaryInto(op, a, b, got)
		if err != nil || !ok {
			t.Fatalf("%v %d %v %v: ok %v, %v", dt, op, as, bs, ok, err)
		}
		sameBits(t, "binary", got, want)
	}
	// Not covered: the caller runs Binary.
	x := randTensor(rng, ir.Float32, 3)
	if ok, _ := BinaryInto(OpPow, x, x, ir.NewTensor(ir.Float32, []int64{3})); ok {
		t.Fatal("BinaryInto took Pow")
	}
	if ok, _ := BinaryInto(OpAdd, x, x, ir.NewTensor(ir.Float64, []int64{3})); ok {
		t.Fatal("BinaryInto took a float64 output of float32 inputs")
	}
}

func TestUnaryActivationSoftmaxInto(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	for it := 0; it < 300; it++ {
		shape := randShape(rng, 1+rng.Intn(4), true)
		x := withNaNs(rng, randTensor(rng, ir.Float32, shape...))
		aop := ActOp(rng.Intn(NumActOps))
		alpha, beta := rng.Float64(), rng.Float64()
		want, err := Activation(aop, x, alpha, beta)
		if err != nil {
			t.Fatal(err)
		}
		got := ir.NewTensor(ir.Float32, shape)
		if !ActivationInto(aop, x, got, alpha, beta) {
			t.Fatalf("activation %d not taken", aop)
		}
		sameBits(t, "activation", got, want)

		uop := UnaryOp(rng.Intn(NumUnaryOps))
		if uop != UnaryNot && uop != UnaryIsInf && uop != UnaryIsNaN {
			want, err := Unary(uop, x)
			if err != nil {
				t.Fatal(err)
			}
			got := ir.NewTensor(ir.Float32, shape)
			if !UnaryInto(uop, x, got) {
				t.Fatalf("unary %d not taken", uop)
			}
			sameBits(t, "unary", got, want)
		}

		axis, mode, flatten := rng.Intn(len(shape)), SoftmaxMode(rng.Intn(3)), rng.Intn(4) == 0
		want, err = Softmax(x, axis, mode, flatten)
		if err != nil {
			t.Fatal(err)
		}
		got = ir.NewTensor(ir.Float32, shape)
		if !SoftmaxInto(x, axis, mode, flatten, got) {
			t.Fatal("softmax not taken")
		}
		sameBits(t, "softmax", got, want)
	}
}

func TestNormalizeLastIntoMatchesNormalize(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	for it := 0; it < 300; it++ {
		rank := 1 + rng.Intn(4)
		shape := randShape(rng, rank, false)
		k := 1 + rng.Intn(rank)
		x := randTensor(rng, ir.Float32, shape...)
		param := func() *ir.Tensor {
			if rng.Intn(4) == 0 {
				return nil
			}
			s := make([]int64, rank)
			for i := range s {
				s[i] = 1
				if i >= rank-k && rng.Intn(3) > 0 {
					s[i] = shape[i]
				}
			}
			return randTensor(rng, ir.Float32, s...)
		}
		scale, bias := param(), param()
		axes := make([]int, 0, k)
		for d := rank - k; d < rank; d++ {
			axes = append(axes, d)
		}
		eps := float32(1e-5)
		want, err := Normalize(x, axes, scale, bias, eps)
		if err != nil {
			t.Fatal(err)
		}
		got := ir.NewTensor(ir.Float32, shape)
		if !NormalizeLastInto(x, k, scale, bias, eps, got, make([]float64, 2*int(ir.Numel(shape[:rank-k])))) {
			t.Fatalf("normalize %v over %d axes not taken", shape, k)
		}
		sameBits(t, "normalize", got, want)
	}
}

func TestMatMulIntoMatchesMatMul(t *testing.T) {
	defer SetThreads(Threads())
	rng := rand.New(rand.NewSource(14))
	for it := 0; it < 200; it++ {
		SetThreads(1 + it%2)
		m, n, k := int64(1+rng.Intn(40)), int64(1+rng.Intn(40)), int64(1+rng.Intn(40))
		if it%10 == 0 { // batched products big enough to go one per thread
			m, n, k = 64, 64, 64
		}
		ta, tb := rng.Intn(2) == 0, rng.Intn(2) == 0
		batch := randShape(rng, rng.Intn(3), false)
		ba, bb := broadcastPair(rng, batch)
		ba = ba[rng.Intn(len(ba)+1):] // operands may have fewer batch dims
		am, bm := []int64{m, k}, []int64{k, n}
		if ta {
			am = []int64{k, m}
		}
		if tb {
			bm = []int64{n, k}
		}
		a := randTensor(rng, ir.Float32, append(append([]int64{}, ba...), am...)...)
		b := randTensor(rng, ir.Float32, append(append([]int64{}, bb...), bm...)...)
		want, err := MatMul(a, ta, b, tb)
		if err != nil {
			t.Fatal(err)
		}
		got := ir.NewTensor(ir.Float32, want.Shape)
		if ok, err := MatMulInto(a, ta, b, tb, got); !ok || err != nil {
			t.Fatalf("matmul %v %v: ok %v, %v", ir.S(a.Shape...), ir.S(b.Shape...), ok, err)
		}
		sameBits(t, "matmul", got, want)
	}
}

func TestGatherReduceWhereInto(t *testing.T) {
	rng := rand.New(rand.NewSource(15))
	for it := 0; it < 300; it++ {
		rank := 1 + rng.Intn(5)
		shape := randShape(rng, rank, true)
		x := withNaNs(rng, randTensor(rng, ir.Float32, shape...))

		// A transpose as a gather through permuted strides.
		perm := rng.Perm(rank)
		want, err := Transpose(x, perm)
		if err != nil {
			t.Fatal(err)
		}
		st := Strides(shape)
		dims, pst := make([]int64, rank), make([]int64, rank)
		for i, p := range perm {
			dims[i], pst[i] = shape[p], st[p]
		}
		got := ir.NewTensor(ir.Float32, want.Shape)
		if !GatherInto(x, 0, dims, pst, got) {
			t.Fatal("transpose gather not taken")
		}
		sameBits(t, "transpose", got, want)

		// A strided slice.
		start, size, step := make([]int64, rank), make([]int64, rank), make([]int64, rank)
		base := int64(0)
		for d := range shape {
			step[d] = 1
			if shape[d] == 0 {
				continue
			}
			start[d] = int64(rng.Intn(int(shape[d])))
			step[d] = int64(1 + rng.Intn(2))
			if rng.Intn(3) == 0 {
				step[d] = -1
			}
			room := shape[d] - start[d]
			if step[d] < 0 {
				room = start[d] + 1
			}
			size[d] = 1 + (room-1)/abs64(step[d])
			base += start[d] * st[d]
		}
		if ir.Numel(size) > 0 {
			want, err = StridedSlice(x, start, size, step)
			if err != nil {
				t.Fatal(err)
			}
			sst := make([]int64, rank)
			for d := range sst {
				sst[d] = step[d] * st[d]
			}
			got = ir.NewTensor(ir.Float32, size)
			if !GatherInto(x, base, size, sst, got) {
				t.Fatal("slice gather not taken")
			}
			sameBits(t, "slice", got, want)
		}

		// A reduction over contiguous axes.
		lo := rng.Intn(rank)
		hi := lo + rng.Intn(rank-lo)
		op := ReduceOp(rng.Intn(int(ReduceLogSumExp)))
		axes := []int{}
		for d := lo; d <= hi; d++ {
			axes = append(axes, d)
		}
		keep := rng.Intn(2) == 0
		want, err = Reduce(x, op, axes, keep)
		if err != nil {
			t.Fatal(err)
		}
		got = ir.NewTensor(ir.Float32, want.Shape)
		if !ReduceInto(x, op, lo, hi, got) {
			t.Fatal("reduce not taken")
		}
		sameBits(t, "reduce", got, want)

		// A where with three broadcast inputs.
		cs, as := broadcastPair(rng, shape)
		_, bs := broadcastPair(rng, shape)
		cond := ir.NewTensor(ir.Bool, cs)
		for i := range cond.Data {
			cond.Data[i] = uint8(rng.Intn(2))
		}
		a, b := randTensor(rng, ir.Float32, as...), randTensor(rng, ir.Float32, bs...)
		want, err = Where(cond, a, b)
		if err != nil {
			t.Fatal(err)
		}
		got = ir.NewTensor(ir.Float32, want.Shape)
		if ok, err := WhereInto(cond, a, b, got); !ok || err != nil {
			t.Fatalf("where: ok %v, %v", ok, err)
		}
		sameBits(t, "where", got, want)
	}
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestPoolPlanMatchesPool(t *testing.T) {
	rng := rand.New(rand.NewSource(16))
	for it := 0; it < 200; it++ {
		ih, iw := int64(1+rng.Intn(12)), int64(1+rng.Intn(12))
		kh, kw := int64(1+rng.Intn(3)), int64(1+rng.Intn(3))
		p := PoolParams{Max: rng.Intn(2) == 0, Kernel: []int64{kh, kw}, Strides: []int64{int64(1 + rng.Intn(2)), int64(1 + rng.Intn(2))},
			PadsBegin: []int64{int64(rng.Intn(int(kh))), int64(rng.Intn(int(kw)))}, PadsEnd: []int64{int64(rng.Intn(int(kh))), int64(rng.Intn(int(kw)))},
			CountIncludePad: rng.Intn(2) == 0}
		p.Out = []int64{PoolOutSize(ih, kh, p.Strides[0], 1, p.PadsBegin[0], p.PadsEnd[0], false), PoolOutSize(iw, kw, p.Strides[1], 1, p.PadsBegin[1], p.PadsEnd[1], false)}
		x := withNaNs(rng, randTensor(rng, ir.Float32, int64(1+rng.Intn(2)), int64(1+rng.Intn(3)), ih, iw))
		want, _, err := Pool(x, p, false, false)
		if err != nil {
			t.Fatal(err)
		}
		pp, err := NewPoolPlan(x.Shape, p)
		if err != nil || pp == nil {
			t.Fatalf("plan: %v", err)
		}
		got := ir.NewTensor(ir.Float32, pp.OutShape())
		if !pp.Run(x, got) {
			t.Fatal("pool plan not taken")
		}
		sameBits(t, "pool", got, want)
	}
}

// TestReluKeepsZerosAndNaN pins ReLU's branch-free loop to the rule
// x < 0 ? 0 : x, bit for bit: -0 stays -0, NaNs stay NaN, negatives are +0.
func TestReluKeepsZerosAndNaN(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	in := []float32{negZero, 0, -1.5, 2.25, float32(math.NaN()), float32(math.Inf(-1)), float32(math.Inf(1)), -1e-45}
	out := make([]float32, len(in))
	activation(ActRelu, out, in, 0, 0)
	for i, v := range in {
		want := v
		if v < 0 {
			want = 0
		}
		if math.Float32bits(out[i]) != math.Float32bits(want) && !(v != v && out[i] != out[i]) {
			t.Errorf("relu(%v) = %v (bits %#x), want %v (bits %#x)", v, out[i], math.Float32bits(out[i]), want, math.Float32bits(want))
		}
	}
}

// TestClamp01KeepsZerosAndNaN pins clamp01 (hard sigmoid, hard swish) to
// v < 0 ? 0 : v > 1 ? 1 : v, bit for bit (any NaN for a NaN).
func TestClamp01KeepsZerosAndNaN(t *testing.T) {
	negZero := math.Copysign(0, -1)
	for _, v := range []float64{negZero, 0, -0.5, 0.25, 1, 1.5, math.NaN(), math.Inf(-1), math.Inf(1), 1e-300} {
		want := v
		if v < 0 {
			want = 0
		} else if v > 1 {
			want = 1
		}
		got := clamp01(v)
		got32, want32 := clamp01(float32(v)), float32(want)
		if math.Float64bits(got) != math.Float64bits(want) && !(v != v && got != got) ||
			math.Float32bits(got32) != math.Float32bits(want32) && !(v != v && got32 != got32) {
			t.Errorf("clamp01(%v) = %v / %v, want %v", v, got, got32, want)
		}
	}
}

// TestIm2colMatchesNaive checks im2col2D (its row, strided and whole-plane
// paths) against the definition on random geometries, "same" stride-1
// convolutions with any pads and dilations among them.
func TestIm2colMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(17))
	for it := 0; it < 400; it++ {
		C, ih, iw := 1+rng.Intn(3), int64(1+rng.Intn(9)), int64(1+rng.Intn(9))
		kh, kw := int64(1+rng.Intn(4)), int64(1+rng.Intn(4))
		p := ConvParams{Strides: []int64{1, 1}, Dilations: []int64{int64(1 + rng.Intn(2)), int64(1 + rng.Intn(2))},
			PadsBegin: []int64{int64(rng.Intn(4)), int64(rng.Intn(4))}, PadsEnd: []int64{int64(rng.Intn(4)), int64(rng.Intn(4))}}
		if rng.Intn(3) == 0 {
			p.Strides = []int64{int64(1 + rng.Intn(3)), int64(1 + rng.Intn(3))}
		}
		if rng.Intn(2) == 0 && p.Strides[1] == 1 { // make the output as wide as the input
			span := (kw - 1) * p.Dilations[1]
			p.PadsBegin[1] = int64(rng.Intn(int(span) + 1))
			p.PadsEnd[1] = span - p.PadsBegin[1]
		}
		o := []int64{ConvOutSize(ih, kh, p.Strides[0], p.Dilations[0], p.PadsBegin[0], p.PadsEnd[0]),
			ConvOutSize(iw, kw, p.Strides[1], p.Dilations[1], p.PadsBegin[1], p.PadsEnd[1])}
		if o[0] < 1 || o[1] < 1 {
			continue
		}
		x := randF32(rng, C*int(ih*iw))
		outSize := int(o[0] * o[1])
		got := make([]float32, C*int(kh*kw)*outSize)
		for i := range got {
			got[i] = float32(math.NaN()) // every element must be written
		}
		im2col2D(x, got, C, []int64{ih, iw}, []int64{kh, kw}, o, p)
		for c := 0; c < C; c++ {
			for ki := int64(0); ki < kh; ki++ {
				for kj := int64(0); kj < kw; kj++ {
					row := (int64(c)*kh+ki)*kw + kj
					for y := int64(0); y < o[0]; y++ {
						for xo := int64(0); xo < o[1]; xo++ {
							iy := y*p.Strides[0] - p.PadsBegin[0] + ki*p.Dilations[0]
							ix := xo*p.Strides[1] - p.PadsBegin[1] + kj*p.Dilations[1]
							var want float32
							if iy >= 0 && iy < ih && ix >= 0 && ix < iw {
								want = x[int64(c)*ih*iw+iy*iw+ix]
							}
							if g := got[row*int64(outSize)+y*o[1]+xo]; g != want {
								t.Fatalf("case %d %+v in %dx%d k %dx%d: row %d out (%d,%d) = %v, want %v", it, p, ih, iw, kh, kw, row, y, xo, g, want)
							}
						}
					}
				}
			}
		}
	}
}

func TestGatherAxisIntoMatchesGather(t *testing.T) {
	rng := rand.New(rand.NewSource(18))
	for it := 0; it < 200; it++ {
		shape := randShape(rng, 1+rng.Intn(3), false)
		axis := rng.Intn(len(shape))
		data := randTensor(rng, []ir.DType{ir.Float32, ir.Int64, ir.Float64}[rng.Intn(3)], shape...)
		ishape := randShape(rng, rng.Intn(3), false)
		idx := ir.NewTensor([]ir.DType{ir.Int32, ir.Int64}[rng.Intn(2)], ishape)
		for i := 0; i < int(idx.Numel()); i++ {
			idx.SetFloat(i, float64(rng.Intn(int(shape[axis]))))
		}
		want, err := Gather(data, idx, axis, false)
		if err != nil {
			t.Fatal(err)
		}
		got := ir.NewTensor(data.DType, want.Shape)
		if !GatherAxisInto(data, idx, axis, got) {
			t.Fatal("gather not taken")
		}
		sameBits(t, "gather", got, want)
		if idx.Numel() > 0 { // an index out of range is left to Gather
			idx.SetFloat(0, float64(shape[axis]))
			if GatherAxisInto(data, idx, axis, got) {
				t.Fatal("an out-of-range index was taken")
			}
		}
	}
}
