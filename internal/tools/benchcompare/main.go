// Command benchcompare is `make bench-compare`: it times trtc and ONNX
// Runtime CPU (npm onnxruntime-node, driven through ort.js) on the same
// models, inputs and thread counts in one run, interleaving the two one
// iteration at a time, and prints medians and ratios as a markdown table.
//
// Run latency: each testdata model is compiled in-process to a bundle and run
// through runtime.Program.Run (what `trtc run` does per run); ONNX Runtime
// runs the same model.onnx on the same .npy inputs with intraOpNumThreads
// set to the same thread count. Compile time: the generated deep stack of
// pkg/compiler's BenchmarkCompile is written as an ONNX file; trtc's time is
// what `trtc compile --dry-run --fallback-ops Sub` does (CompileFile and the
// report) in-process, ONNX Runtime's is InferenceSession.create of that file.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/trtc-dev/trtc/pkg/kernels"
)

func main() {
	var (
		ortDir   = flag.String("ort", ".bench/ort", "folder whose node_modules holds onnxruntime-node")
		iters    = flag.Int("iters", 25, "timed iterations per model and side (median reported)")
		warmup   = flag.Int("warmup", 3, "untimed iterations first")
		threadsF = flag.String("threads", "1,2", "comma-separated thread counts")
		modelsF  = flag.String("models", "cnn_resnet,cnn_mobilenet,gpt_tiny", "testdata models")
		nodesF   = flag.String("nodes", "10000,100000", "generated-stack sizes for the compile comparison (empty: none)")
		cIters   = flag.Int("compile-iters", 21, "compile iterations of the smallest stack (fewer for larger ones, at least 5)")
		ortLarge = flag.Int("ort-large-iters", 2, "ONNX Runtime session creations timed for each stack after the first")
	)
	flag.Parse()
	log.SetFlags(0)
	tmp, err := os.MkdirTemp("", "benchcompare")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)

	ort, err := startORT(*ortDir)
	if err != nil {
		log.Fatal(err)
	}
	defer ort.close()

	fmt.Printf("# trtc vs ONNX Runtime %s (CPU), %s\n\n", ort.version, time.Now().UTC().Format(time.RFC3339))
	fmt.Printf("machine: %s; trtc GEMM kernel %s; load before: %s\n\n", cpuName(), kernels.GemmKernel(), loadAvg())

	threads := ints(*threadsF)
	fmt.Println("| model | threads | trtc median | ORT median | trtc / ORT |")
	fmt.Println("| --- | --- | --- | --- | --- |")
	for _, name := range strings.Split(*modelsF, ",") {
		if name == "" {
			continue
		}
		m, err := prepareModel(tmp, name)
		if err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		for _, th := range threads {
			kernels.SetThreads(th)
			id := fmt.Sprintf("%s/%d", name, th)
			if _, err := ort.call(map[string]any{"op": "load", "id": id, "model": m.onnx, "threads": th, "inputs": m.npy}); err != nil {
				log.Fatalf("%s: ONNX Runtime: %v", name, err)
			}
			var tt, ot []float64
			for i := -*warmup; i < *iters; i++ {
				// Alternate which side goes first, so neither always runs
				// on a cache the other left warm or cold.
				var a, b float64
				runT := func() float64 {
					t0 := time.Now()
					if _, err := m.prog.Run(m.inputs); err != nil {
						log.Fatalf("%s: trtc: %v", name, err)
					}
					return float64(time.Since(t0).Nanoseconds()) / 1e6
				}
				runO := func() float64 {
					ms, err := ort.call(map[string]any{"op": "run", "id": id})
					if err != nil {
						log.Fatalf("%s: ONNX Runtime: %v", name, err)
					}
					return ms
				}
				if i%2 == 0 {
					a, b = runT(), runO()
				} else {
					b, a = runO(), runT()
				}
				if i >= 0 {
					tt, ot = append(tt, a), append(ot, b)
				}
			}
			mt, mo := median(tt), median(ot)
			fmt.Printf("| %s | %d | %.3f ms | %.3f ms | %.2fx |\n", name, th, mt, mo, mt/mo)
		}
		m.prog.Close()
	}
	kernels.SetThreads(0)

	if len(ints(*nodesF)) == 0 { // -nodes "": run latency only
		fmt.Printf("\nload after: %s\n", loadAvg())
		return
	}
	fmt.Println()
	fmt.Println("| generated stack | trtc compile --dry-run (in-process) | ORT session creation | trtc / ORT |")
	fmt.Println("| --- | --- | --- | --- |")
	var first float64
	for i, n := range ints(*nodesF) {
		path := filepath.Join(tmp, fmt.Sprintf("stack%d.onnx", n))
		if err := writeStack(path, n); err != nil {
			log.Fatal(err)
		}
		it := max(5, *cIters*ints(*nodesF)[0]/n)
		var tt, ot []float64
		for j := 0; j < it+1; j++ {
			t0 := time.Now()
			if err := dryRun(path); err != nil {
				log.Fatalf("compile %s: %v", path, err)
			}
			a := float64(time.Since(t0).Nanoseconds()) / 1e6
			if j > 0 { // the first of each is a warm-up
				tt = append(tt, a)
			}
			// ONNX Runtime takes minutes per session of the larger stacks:
			// those are timed on the first -ort-large-iters iterations.
			if i > 0 && j > *ortLarge {
				continue
			}
			b, err := ort.call(map[string]any{"op": "create", "model": path, "threads": threads[len(threads)-1]})
			if err != nil {
				log.Fatalf("ONNX Runtime %s: %v", path, err)
			}
			if j > 0 {
				ot = append(ot, b)
			}
		}
		mt, mo := median(tt), median(ot)
		growth := ""
		if i == 0 {
			first = mt
		} else {
			growth = fmt.Sprintf(" (%.1fx the %d-node time)", mt/first, ints(*nodesF)[0])
		}
		fmt.Printf("| %d nodes | %.1f ms (median of %d)%s | %.1f ms (median of %d) | %.2fx |\n", n, mt, len(tt), growth, mo, len(ot), mt/mo)
	}
	fmt.Printf("\nload after: %s\n", loadAvg())
}
