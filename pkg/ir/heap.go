package ir

// IndexHeap is a min-heap of ints; topological sorts use it to keep the
// original node order wherever dependencies allow.
type IndexHeap struct{ a []int }

// Len is the number of items.
func (h *IndexHeap) Len() int { return len(h.a) }

// Peek returns the smallest item; the heap must not be empty.
func (h *IndexHeap) Peek() int { return h.a[0] }

// Push adds x.
func (h *IndexHeap) Push(x int) {
	h.a = append(h.a, x)
	for i := len(h.a) - 1; i > 0; {
		p := (i - 1) / 2
		if h.a[p] <= h.a[i] {
			break
		}
		h.a[p], h.a[i] = h.a[i], h.a[p]
		i = p
	}
}

// Pop removes and returns the smallest item; the heap must not be empty.
func (h *IndexHeap) Pop() int {
	top := h.a[0]
	last := len(h.a) - 1
	h.a[0] = h.a[last]
	h.a = h.a[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h.a) && h.a[l] < h.a[m] {
			m = l
		}
		if r < len(h.a) && h.a[r] < h.a[m] {
			m = r
		}
		if m == i {
			break
		}
		h.a[m], h.a[i] = h.a[i], h.a[m]
		i = m
	}
	return top
}
