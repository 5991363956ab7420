// Command asmgen writes pkg/kernels/gemm_amd64.s, the amd64 register
// micro-kernels of the float32 GEMM and the FMA peak loops (run it with
// `make asm`). The kernels are generated rather than hand-written because
// the AVX2 and AVX-512 variants differ only in register names and widths.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
)

// isa describes one vector extension.
type isa struct {
	name  string // suffix of the Go function names
	reg   string // vector register prefix: Y or Z
	bytes int    // vector width in bytes
}

var (
	avx2   = isa{"AVX2", "Y", 32}
	avx512 = isa{"AVX512", "Z", 64}
)

const mr = 6 // rows of a micro-tile (the packed A panel height)

type gen struct{ bytes.Buffer }

func (g *gen) p(format string, args ...any) { fmt.Fprintf(&g.Buffer, format+"\n", args...) }

// micro writes func sgemmMicro<ISA>(kc int, a, b, c *float32, ldc, ldb int, accum bool):
// C[0:6, 0:nr] (row stride ldc floats) = (accum ? C : 0) + A_panel * B_panel,
// where A_panel is kc steps of 6 floats (packed, k-major) and B_panel kc rows
// of nr = 2 vectors of floats, ldb floats apart (a packed panel has ldb = nr;
// a row-major B is read in place with its own row stride).
func (g *gen) micro(v isa) {
	r := func(i int) string { return fmt.Sprintf("%s%d", v.reg, i) }
	g.p("// func sgemmMicro%s(kc int, a, b, c *float32, ldc, ldb int, accum bool)", v.name)
	g.p("TEXT ·sgemmMicro%s(SB), NOSPLIT, $0-49", v.name)
	g.p("\tMOVQ kc+0(FP), CX")
	g.p("\tMOVQ a+8(FP), AX")
	g.p("\tMOVQ b+16(FP), BX")
	g.p("\tMOVQ c+24(FP), DX")
	g.p("\tMOVQ ldc+32(FP), SI")
	g.p("\tSHLQ $2, SI")
	g.p("\tMOVQ ldb+40(FP), R9")
	g.p("\tSHLQ $2, R9")
	for i := 0; i < 2*mr; i++ {
		g.zero(v, r(i))
	}
	g.p("\tTESTQ CX, CX")
	g.p("\tJZ %sstore", v.name)
	// Two k steps per iteration, then a single-step tail.
	g.p("\tMOVQ CX, DI")
	g.p("\tSHRQ $1, DI")
	g.p("\tJZ %stail", v.name)
	g.p("%sloop2:", v.name)
	g.step(v, 0, "BX")
	g.p("\tADDQ R9, BX")
	g.step(v, mr*4, "BX")
	g.p("\tADDQ R9, BX")
	g.p("\tADDQ $%d, AX", 2*mr*4)
	g.p("\tDECQ DI")
	g.p("\tJNZ %sloop2", v.name)
	g.p("%stail:", v.name)
	g.p("\tTESTQ $1, CX")
	g.p("\tJZ %sstore", v.name)
	g.step(v, 0, "BX")
	g.p("%sstore:", v.name)
	g.p("\tMOVBLZX accum+48(FP), R8")
	g.p("\tTESTQ R8, R8")
	g.p("\tJZ %soverwrite", v.name)
	for i := 0; i < mr; i++ {
		g.p("\tVADDPS (DX), %s, %s", r(2*i), r(2*i))
		g.p("\tVADDPS %d(DX), %s, %s", v.bytes, r(2*i+1), r(2*i+1))
		g.p("\tVMOVUPS %s, (DX)", r(2*i))
		g.p("\tVMOVUPS %s, %d(DX)", r(2*i+1), v.bytes)
		if i < mr-1 {
			g.p("\tADDQ SI, DX")
		}
	}
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("%soverwrite:", v.name)
	for i := 0; i < mr; i++ {
		g.p("\tVMOVUPS %s, (DX)", r(2*i))
		g.p("\tVMOVUPS %s, %d(DX)", r(2*i+1), v.bytes)
		if i < mr-1 {
			g.p("\tADDQ SI, DX")
		}
	}
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
}

// zero clears a vector register (VPXORD: VXORPS on ZMM needs AVX512DQ).
func (g *gen) zero(v isa, r string) {
	if v.reg == "Z" {
		g.p("\tVPXORD %s, %s, %s", r, r, r)
		return
	}
	g.p("\tVXORPS %s, %s, %s", r, r, r)
}

// step is one k step: two B vectors, six broadcasts of A, twelve FMAs.
func (g *gen) step(v isa, aOff int, b string) {
	r := func(i int) string { return fmt.Sprintf("%s%d", v.reg, i) }
	g.p("\tVMOVUPS (%s), %s", b, r(12))
	g.p("\tVMOVUPS %d(%s), %s", v.bytes, b, r(13))
	for i := 0; i < mr; i++ {
		a := r(14 + i%2)
		g.p("\tVBROADCASTSS %d(AX), %s", aOff+4*i, a)
		g.p("\tVFMADD231PS %s, %s, %s", r(12), a, r(2*i))
		g.p("\tVFMADD231PS %s, %s, %s", r(13), a, r(2*i+1))
	}
}

// peak writes func fmaPeak<ISA>(n int): n iterations of 12 independent
// register-only FMAs, the throughput bound of the core's FMA units.
func (g *gen) peak(v isa) {
	r := func(i int) string { return fmt.Sprintf("%s%d", v.reg, i) }
	g.p("// func fmaPeak%s(n int)", v.name)
	g.p("TEXT ·fmaPeak%s(SB), NOSPLIT, $0-8", v.name)
	g.p("\tMOVQ n+0(FP), CX")
	for i := 0; i < 14; i++ {
		g.zero(v, r(i))
	}
	g.p("\tTESTQ CX, CX")
	g.p("\tJZ %speakdone", v.name)
	g.p("%speakloop:", v.name)
	for i := 0; i < 12; i++ {
		g.p("\tVFMADD231PS %s, %s, %s", r(12), r(13), r(i))
	}
	g.p("\tDECQ CX")
	g.p("\tJNZ %speakloop", v.name)
	g.p("%speakdone:", v.name)
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
}

// vec writes the AVX2 vector loops used by GEMV, depthwise convolution and
// other kernels:
//
//	func dotAVX2(x, y *float32, n int) float32     // sum x[i]*y[i]
//	func axpyAVX2(alpha float32, x, y *float32, n int) // y[i] += alpha*x[i]
func (g *gen) vec() {
	g.p("// func dotAVX2(x, y *float32, n int) float32")
	g.p("TEXT ·dotAVX2(SB), NOSPLIT, $0-28")
	g.p("\tMOVQ x+0(FP), AX")
	g.p("\tMOVQ y+8(FP), BX")
	g.p("\tMOVQ n+16(FP), CX")
	for i := 0; i < 4; i++ {
		g.p("\tVXORPS Y%d, Y%d, Y%d", i, i, i)
	}
	g.p("dot32:")
	g.p("\tCMPQ CX, $32")
	g.p("\tJLT dot8")
	for i := 0; i < 4; i++ {
		g.p("\tVMOVUPS %d(AX), Y%d", 32*i, 4+i)
		g.p("\tVFMADD231PS %d(BX), Y%d, Y%d", 32*i, 4+i, i)
	}
	g.p("\tADDQ $128, AX")
	g.p("\tADDQ $128, BX")
	g.p("\tSUBQ $32, CX")
	g.p("\tJMP dot32")
	g.p("dot8:")
	g.p("\tCMPQ CX, $8")
	g.p("\tJLT dotreduce")
	g.p("\tVMOVUPS (AX), Y4")
	g.p("\tVFMADD231PS (BX), Y4, Y0")
	g.p("\tADDQ $32, AX")
	g.p("\tADDQ $32, BX")
	g.p("\tSUBQ $8, CX")
	g.p("\tJMP dot8")
	g.p("dotreduce:")
	g.p("\tVADDPS Y1, Y0, Y0")
	g.p("\tVADDPS Y3, Y2, Y2")
	g.p("\tVADDPS Y2, Y0, Y0")
	g.p("\tVEXTRACTF128 $1, Y0, X1")
	g.p("\tVADDPS X1, X0, X0")
	g.p("\tVHADDPS X0, X0, X0")
	g.p("\tVHADDPS X0, X0, X0")
	g.p("dot1:")
	g.p("\tTESTQ CX, CX")
	g.p("\tJZ dotdone")
	g.p("\tVMOVSS (AX), X1")
	g.p("\tVFMADD231SS (BX), X1, X0")
	g.p("\tADDQ $4, AX")
	g.p("\tADDQ $4, BX")
	g.p("\tDECQ CX")
	g.p("\tJMP dot1")
	g.p("dotdone:")
	g.p("\tVMOVSS X0, ret+24(FP)")
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
	g.p("// func axpyAVX2(alpha float32, x, y *float32, n int)")
	g.p("TEXT ·axpyAVX2(SB), NOSPLIT, $0-32")
	g.p("\tMOVQ x+8(FP), AX")
	g.p("\tMOVQ y+16(FP), BX")
	g.p("\tMOVQ n+24(FP), CX")
	g.p("\tVBROADCASTSS alpha+0(FP), Y15")
	g.p("axpy32:")
	g.p("\tCMPQ CX, $32")
	g.p("\tJLT axpy8")
	for i := 0; i < 4; i++ {
		g.p("\tVMOVUPS %d(BX), Y%d", 32*i, i)
		g.p("\tVFMADD231PS %d(AX), Y15, Y%d", 32*i, i)
		g.p("\tVMOVUPS Y%d, %d(BX)", i, 32*i)
	}
	g.p("\tADDQ $128, AX")
	g.p("\tADDQ $128, BX")
	g.p("\tSUBQ $32, CX")
	g.p("\tJMP axpy32")
	g.p("axpy8:")
	g.p("\tCMPQ CX, $8")
	g.p("\tJLT axpy1")
	g.p("\tVMOVUPS (BX), Y0")
	g.p("\tVFMADD231PS (AX), Y15, Y0")
	g.p("\tVMOVUPS Y0, (BX)")
	g.p("\tADDQ $32, AX")
	g.p("\tADDQ $32, BX")
	g.p("\tSUBQ $8, CX")
	g.p("\tJMP axpy8")
	g.p("axpy1:")
	g.p("\tTESTQ CX, CX")
	g.p("\tJZ axpydone")
	g.p("\tVMOVSS (BX), X0")
	g.p("\tVFMADD231SS (AX), X15, X0")
	g.p("\tVMOVSS X0, (BX)")
	g.p("\tADDQ $4, AX")
	g.p("\tADDQ $4, BX")
	g.p("\tDECQ CX")
	g.p("\tJMP axpy1")
	g.p("axpydone:")
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
}

func main() {
	out := flag.String("o", "gemm_amd64.s", "output file")
	flag.Parse()
	var g gen
	g.p("// Code generated by go run ./pkg/kernels/internal/asmgen; DO NOT EDIT.")
	g.p("")
	g.p("//go:build amd64 && !purego")
	g.p("")
	g.p("#include \"textflag.h\"")
	g.p("")
	for _, v := range []isa{avx2, avx512} {
		g.micro(v)
		g.peak(v)
	}
	g.vec()
	if err := os.WriteFile(*out, g.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
