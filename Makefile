# trtc's build. `make example` and `make test` are the two commands a newcomer
# needs (README.md); everything else is for development.

GO      ?= go
BIN     := $(CURDIR)/bin
TRTC    := $(BIN)/trtc
# The same flags build trtc and its plugins, so that plugins load into it.
GOFLAGS_BUILD := -trimpath
# trtc reads GPUs through NVIDIA's go-nvml, which calls NVML through symbols
# bound at first use, after it has loaded libnvidia-ml; a binary that can
# load Go plugins is linked to bind every symbol at start-up (-z now) and
# would then die with "undefined symbol: nvml..." before main. trtc (and its
# plugins, for symmetry) are therefore linked with lazy binding; README.md's
# go install line passes the same flag. Test binaries need nothing: only
# cmd/trtc imports the plugin package (cli.PluginLoader).
LDFLAGS_BUILD := -extldflags=-Wl,-z,lazy
# (The first build prints gcc's deprecation warnings for functions go-nvml
# binds; they are harmless, and CGO_CFLAGS is left alone so that plugins
# built by hand match a trtc built here.)

EXAMPLE := testdata/models/cnn_resnet
OUT     := $(CURDIR)/.example

.PHONY: all build plugins example test test-purego test-short bench bench-compare vet fmt proto asm clean check-tensorrt build-tensorrt tables check-rules node-tests node-tests-check fuzz

all: build

build:
	$(GO) build $(GOFLAGS_BUILD) -ldflags=$(LDFLAGS_BUILD) -o $(TRTC) ./cmd/trtc

# plugins builds every converter plugin under plugins/ into bin/plugins/, with
# the flags trtc is built with: Go refuses a plugin built otherwise.
PLUGINS := $(notdir $(wildcard plugins/*))
plugins:
	@mkdir -p $(BIN)/plugins
	@for p in $(PLUGINS); do \
		echo "$(GO) build -buildmode=plugin $(GOFLAGS_BUILD) -ldflags=$(LDFLAGS_BUILD) -o $(BIN)/plugins/$$p.so ./plugins/$$p"; \
		$(GO) build -buildmode=plugin $(GOFLAGS_BUILD) -ldflags=$(LDFLAGS_BUILD) -o $(BIN)/plugins/$$p.so ./plugins/$$p || exit 1; \
	done

# example compiles the bundled ResNet, runs the bundle on its input and checks
# the output against ONNX Runtime's (atol 1e-4, rtol 1e-3).
example: build
	@mkdir -p $(OUT)
	$(TRTC) compile $(EXAMPLE)/model.onnx -o $(OUT)/resnet.trtb --report $(OUT)/report.json
	$(TRTC) run $(OUT)/resnet.trtb --input $(EXAMPLE)/input.npy --output-dir $(OUT) --expect $(EXAMPLE)/expected

# test runs every test, including the ONNX node test suite ($$TRTC_NODE_TESTS,
# else .node-tests/onnx-node-tests from `make node-tests`, else
# ../shared/onnx-node-tests); where none is found it says how to get it, and
# those tests skip.
test: node-tests-check
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m ./...
	$(MAKE) test-purego

# test-purego runs the kernels, the reference backend, the ONNX converter
# tests and the ONNX node suite (internal/nodetests) again on the portable Go
# kernels (build tag purego: no assembly), and checks that the kernels vet
# and build for arm64.
test-purego:
	$(GO) test -count=1 -tags purego ./pkg/kernels/... ./pkg/backend/reference/ ./converters/onnx/ ./internal/nodetests/
	GOARCH=arm64 $(GO) vet ./pkg/kernels/... ./pkg/backend/reference/
	GOARCH=arm64 $(GO) test -c -o /dev/null ./pkg/kernels/

# fuzz runs every fuzz target for FUZZTIME each (default 10m), one after
# another, FUZZPARALLEL workers at a time; a crash stops it and leaves the
# input under the package's testdata/fuzz/, where `make test` replays it
# (plain go test runs every committed corpus).
FUZZTIME     ?= 10m
FUZZPARALLEL ?= 1
FUZZ_TARGETS := pkg/frontend/onnx:FuzzParse pkg/frontend/aten:FuzzParse pkg/frontend/aten:FuzzArchive \
	pkg/graphio:FuzzUnmarshal pkg/tensorio:FuzzTensorInput pkg/tensorio:FuzzDecodeNPY pkg/bundle:FuzzOpen internal/e2e:FuzzGraph
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "$(GO) test ./$$pkg -run '^$$$$' -fuzz '^'$$fn'$$$$' -fuzztime $(FUZZTIME)"; \
		$(GO) test ./$$pkg -run '^$$$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 30s -parallel $(FUZZPARALLEL) || exit 1; \
	done

test-short:
	$(GO) test -short ./...

# node-tests fetches the ONNX backend node tests of the pinned ONNX release
# (the suite's README names it) into .node-tests/onnx-node-tests, which the
# tests find without TRTC_NODE_TESTS: a shallow clone of ONNX_REPO at tag
# v$(ONNX_VERSION), of which only onnx/backend/test/data/node is kept.
# ONNX_REPO may be any git URL (a mirror, file:///path/to/onnx); with
# NODE_TESTS_FROM=DIR the cases are copied from a folder you have instead (an
# onnx checkout, or a folder of test_* cases).
ONNX_VERSION   := 1.23.0
ONNX_REPO      ?= https://github.com/onnx/onnx.git
NODE_TESTS_DIR ?= $(CURDIR)/.node-tests
SHARED_NODE_TESTS ?= ../shared/onnx-node-tests

# node-tests-check says how to get the node tests when no copy is found.
node-tests-check:
	@if [ -z "$$TRTC_NODE_TESTS" ] && [ ! -d "$(NODE_TESTS_DIR)/onnx-node-tests" ] && [ ! -d "$(SHARED_NODE_TESTS)" ]; then \
		echo "make test: the ONNX node tests are absent, so their tests will skip; run 'make node-tests' to fetch them (ONNX v$(ONNX_VERSION) into .node-tests/), or set TRTC_NODE_TESTS to their folder"; \
	fi
node-tests:
	@set -e; dest="$(NODE_TESTS_DIR)/onnx-node-tests"; tmp="$(NODE_TESTS_DIR)/.fetch"; \
	rm -rf "$$tmp"; mkdir -p "$(NODE_TESTS_DIR)"; \
	if [ -n "$(NODE_TESTS_FROM)" ]; then \
		src="$(NODE_TESTS_FROM)"; \
		if [ -d "$$src/onnx/backend/test/data/node" ]; then src="$$src/onnx/backend/test/data/node"; fi; \
		ls -d "$$src"/test_* >/dev/null 2>&1 || { echo "node-tests: $$src holds no test_* folders"; exit 2; }; \
		mkdir -p "$$tmp/node"; cp -R "$$src"/test_* "$$tmp/node/"; \
		echo "copied from $$src" > "$$tmp/SOURCE"; \
	else \
		echo "git clone --depth 1 --branch v$(ONNX_VERSION) $(ONNX_REPO)"; \
		git clone --quiet --depth 1 --branch v$(ONNX_VERSION) --filter=blob:none --sparse "$(ONNX_REPO)" "$$tmp/onnx" 2>&1 | grep -v 'filtering not recognized' || true; \
		test -d "$$tmp/onnx/.git" || { echo "node-tests: could not clone $(ONNX_REPO) at v$(ONNX_VERSION); set ONNX_REPO to a reachable copy or NODE_TESTS_FROM to a folder"; exit 2; }; \
		git -C "$$tmp/onnx" sparse-checkout set onnx/backend/test/data/node; \
		test -d "$$tmp/onnx/onnx/backend/test/data/node" || { echo "node-tests: v$(ONNX_VERSION) of $(ONNX_REPO) has no onnx/backend/test/data/node"; exit 2; }; \
		mv "$$tmp/onnx/onnx/backend/test/data/node" "$$tmp/node"; \
		if [ -f "$$tmp/onnx/LICENSE" ]; then cp "$$tmp/onnx/LICENSE" "$$tmp/node/LICENSE"; fi; \
		echo "$(ONNX_REPO) v$(ONNX_VERSION) $$(git -C "$$tmp/onnx" rev-parse HEAD)" > "$$tmp/SOURCE"; \
	fi; \
	mv "$$tmp/SOURCE" "$$tmp/node/SOURCE"; rm -rf "$$dest"; mv "$$tmp/node" "$$dest"; rm -rf "$$tmp"; \
	echo "node-tests: $$(ls -d "$$dest"/test_* | wc -l) cases in $$dest ($$(cat "$$dest/SOURCE"))"

# bench runs the compile-time and run-latency benchmarks (see docs/benchmarks.md).
bench:
	$(GO) test -run '^$$' -bench Compile -benchmem -benchtime 3x ./pkg/compiler/
	$(GO) test -run '^$$' -bench Run -benchtime 10x ./internal/e2e/
	$(GO) test -run '^$$' -bench 'FMAPeak|Sgemm|Gemm|Conv2D' -benchtime 5x ./pkg/kernels/
	$(GO) test -run '^$$' -bench . -benchtime 3x ./pkg/bundle/

# bench-compare times trtc against ONNX Runtime CPU (npm onnxruntime-node,
# installed here into the git-ignored .bench/ort on first use) on the testdata
# models and the generated 10k/100k-node stack, interleaved, and prints the
# medians and ratios (docs/benchmarks.md). BENCH_COMPARE_FLAGS passes flags
# (-iters, -threads, -models, -nodes; see internal/tools/benchcompare).
ORT_DIR ?= $(CURDIR)/.bench/ort
ORT_VERSION ?= 1.30.0
bench-compare:
	@command -v node >/dev/null || { echo "bench-compare: node (Node.js >= 18) is needed to run ONNX Runtime"; exit 2; }
	@test -d $(ORT_DIR)/node_modules/onnxruntime-node || { \
		mkdir -p $(ORT_DIR) && cd $(ORT_DIR) && echo '{"private": true}' > package.json && \
		npm install --ignore-scripts --no-audit --no-fund onnxruntime-node@$(ORT_VERSION); }
	$(GO) run ./internal/tools/benchcompare -ort $(ORT_DIR) $(BENCH_COMPARE_FLAGS)

vet:
	$(GO) vet ./...

fmt:
	gofmt -l -w $$(git ls-files '*.go' | grep -v '\.pb\.go$$')

PROTOS := $(shell find proto -name '*.proto')
PROTOC_GEN_GO := $(BIN)/protoc-gen-go

# proto regenerates every *.pb.go beside its .proto, with the protoc-gen-go
# that go.mod pins (protoc itself: Debian's protobuf-compiler).
proto:
	$(GO) build -o $(PROTOC_GEN_GO) google.golang.org/protobuf/cmd/protoc-gen-go
	protoc --plugin=protoc-gen-go=$(PROTOC_GEN_GO) --go_out=. --go_opt=paths=source_relative $(PROTOS)

# asm regenerates pkg/kernels/gemm_amd64.s, the amd64 GEMM micro-kernels and
# FMA peak loops (a test checks it is up to date).
asm:
	$(GO) run ./pkg/kernels/internal/asmgen -o pkg/kernels/gemm_amd64.s

# tables regenerates, from pkg/network/kinddef and pkg/network/enums.go, the
# layer kind constants and enum names (pkg/network/*_gen.go), the reference
# backend's rule table (pkg/backend/reference/rules_gen.go),
# cgo/tensorrt/enumcheck.h and docs/backends.md; a test checks they are up to
# date.
tables:
	$(GO) run ./cgo/tensorrt/internal/gentables

# check-rules checks every rule quote of pkg/network/kinddef against the
# TensorRT headers in TENSORRT_INCLUDE (NvInfer.h, NvInferRuntimeBase.h, NvInferRuntime.h,
# NvInferVersion.h).
check-rules:
	@test -n "$(TENSORRT_INCLUDE)" || { echo "check-rules: set TENSORRT_INCLUDE to a folder with TensorRT's headers"; exit 2; }
	TENSORRT_INCLUDE=$(abspath $(TENSORRT_INCLUDE)) $(GO) test -count=1 -v -run TestQuotesInHeaders ./cgo/tensorrt/internal/gentables/

# TensorRT backend (docs/tensorrt.md). TENSORRT_INCLUDE is a folder with
# NvInfer.h (NVIDIA/TensorRT's include/, 10.x or 11.x); TENSORRT_LIB one with
# libnvinfer.so. cgo/tensorrt/stub stands in for CUDA's cuda_runtime_api.h,
# of which TensorRT's headers need two types.
TRT_STUB   := $(CURDIR)/cgo/tensorrt/stub
TRT_FAKE_SRC := $(CURDIR)/cgo/tensorrt/testdata/fake
TRT_CXXFLAGS = -Wall -Wextra -Werror -I$(abspath $(TENSORRT_INCLUDE)) -I$(TRT_STUB)
TRT_ASAN   := -fsanitize=address -fno-omit-frame-pointer

# check-tensorrt checks the shim against the headers in TENSORRT_INCLUDE:
# it compiles the shim with -Wall -Wextra -Werror, generates the boilerplate
# of the recording fake of TensorRT's apiv classes from those headers
# (genfake), builds the fake as libnvinfer.so, and runs the package's tests
# against it (build tags tensorrt,fakenvinfer), all under AddressSanitizer:
# the shim's calls, the networks of every testdata model compared layer by
# layer with the reference backend's, and the error paths. Without
# TENSORRT_INCLUDE it checks nothing and says so.
check-tensorrt:
	@if [ -z "$(TENSORRT_INCLUDE)" ]; then \
		echo "check-tensorrt: SKIPPED — TENSORRT_INCLUDE is not set (nothing was checked; see docs/tensorrt.md)"; \
		exit 0; \
	fi; \
	set -e; \
	inc="$(abspath $(TENSORRT_INCLUDE))"; \
	test -f "$$inc/NvInfer.h" || { echo "check-tensorrt: $$inc/NvInfer.h not found"; exit 2; }; \
	fake="$(CURDIR)/.headers/fake-$$(echo "$$inc" | cksum | cut -d' ' -f1)"; \
	mkdir -p "$$fake"; \
	$(GO) run ./cgo/tensorrt/internal/genfake -include "$$inc" -o "$$fake/fake_gen.h"; \
	g++ -std=c++17 -shared -fPIC -g $(TRT_ASAN) $(TRT_CXXFLAGS) -I"$$fake" -I$(TRT_FAKE_SRC) \
		-o "$$fake/libnvinfer.so" $(TRT_FAKE_SRC)/fake_nvinfer.cpp; \
	export CGO_CXXFLAGS="$(TRT_CXXFLAGS) -g" CGO_LDFLAGS="-L$$fake -Wl,-rpath,$$fake" ASAN_OPTIONS=detect_leaks=1; \
	$(GO) vet -tags tensorrt,fakenvinfer ./cgo/tensorrt/; \
	rc=0; $(GO) test -asan -count=1 -v -tags tensorrt,fakenvinfer ./cgo/tensorrt/ > "$$fake/test.log" 2>&1 || rc=$$?; \
	grep -E '^(--- |ok|FAIL|panic|==[0-9]+==)|compared in all|^\s+fake_.*_test.go' "$$fake/test.log" || true; \
	if [ $$rc -ne 0 ]; then echo "check-tensorrt: FAILED against $(TENSORRT_INCLUDE) (full log: $$fake/test.log)"; exit $$rc; fi; \
	echo "check-tensorrt: passed against TensorRT $$(sed -n 's/^#define \(NV_TENSORRT_MAJOR\|TRT_MAJOR_ENTERPRISE\) \([0-9]*\).*/\2/p' $$inc/NvInferVersion.h | head -1).$$(sed -n 's/^#define \(NV_TENSORRT_MINOR\|TRT_MINOR_ENTERPRISE\) \([0-9]*\).*/\2/p' $$inc/NvInferVersion.h | head -1) headers in $(TENSORRT_INCLUDE) (under AddressSanitizer)"

# build-tensorrt builds bin/trtc with the TensorRT backend.
build-tensorrt:
	@test -n "$(TENSORRT_INCLUDE)" -a -n "$(TENSORRT_LIB)" || { echo "build-tensorrt: set TENSORRT_INCLUDE (NvInfer.h) and TENSORRT_LIB (libnvinfer.so)"; exit 2; }
	CGO_CXXFLAGS="-I$(abspath $(TENSORRT_INCLUDE)) -I$(TRT_STUB)" CGO_LDFLAGS="-L$(abspath $(TENSORRT_LIB)) -Wl,-rpath,$(abspath $(TENSORRT_LIB))" \
		$(GO) build $(GOFLAGS_BUILD) -ldflags=$(LDFLAGS_BUILD) -tags tensorrt -o $(TRTC) ./cmd/trtc

clean:
	rm -rf $(BIN) $(OUT) $(NODE_TESTS_DIR)/.fetch
