package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedUpToDate regenerates the assembly and compares it with the
// committed pkg/kernels/gemm_amd64.s (run `make asm` after changing main.go).
func TestGeneratedUpToDate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "gemm_amd64.s")
	cmd := exec.Command("go", "run", ".", "-o", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("asmgen: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../gemm_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatal("pkg/kernels/gemm_amd64.s is not what asmgen writes: run `make asm`")
	}
}
