package kernels

// Strides returns row-major element strides for dims.
func Strides(dims []int64) []int64 {
	s := make([]int64, len(dims))
	acc := int64(1)
	for i := len(dims) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= dims[i]
	}
	return s
}

// BroadcastStrides returns the strides of an input of shape in viewed as
// shape out (right-aligned); broadcast dims get stride 0.
func BroadcastStrides(in, out []int64) []int64 {
	st := Strides(in)
	bs := make([]int64, len(out))
	off := len(out) - len(in)
	for i := range in {
		if in[i] != 1 || out[off+i] == 1 {
			bs[off+i] = st[i]
		}
	}
	return bs
}

// ForEachRun walks an output of shape out in row-major order, calling f for
// each run along the innermost dim with the starting offsets into out and
// into each input (with the inputs' broadcast strides) and the run length;
// instride[k] is input k's step along the run (0 or 1).
func ForEachRun(out []int64, strides [][]int64, f func(o int64, in []int64, n int64, instep []int64)) {
	rank := len(out)
	k := len(strides)
	in := make([]int64, k)
	step := make([]int64, k)
	if rank == 0 {
		f(0, in, 1, step)
		return
	}
	n := out[rank-1]
	for j := range strides {
		step[j] = strides[j][rank-1]
	}
	total := int64(1)
	for _, d := range out {
		total *= d
	}
	if total == 0 {
		return
	}
	idx := make([]int64, rank)
	for o := int64(0); o < total; o += n {
		f(o, in, n, step)
		// Advance the outer index (all dims but the last).
		for d := rank - 2; d >= 0; d-- {
			idx[d]++
			for j := range strides {
				in[j] += strides[j][d]
			}
			if idx[d] < out[d] {
				break
			}
			for j := range strides {
				in[j] -= strides[j][d] * out[d]
			}
			idx[d] = 0
		}
	}
}
