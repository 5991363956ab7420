# trtc's build. `make example` and `make test` are the two commands a newcomer
# needs (README.md); everything else is for development.

GO      ?= go
BIN     := $(CURDIR)/bin
TRTC    := $(BIN)/trtc
# The same flags build trtc and its plugins, so that plugins load into it.
GOFLAGS_BUILD := -trimpath

EXAMPLE := testdata/models/cnn_resnet
OUT     := $(CURDIR)/.example

.PHONY: all build plugins example test test-short bench vet fmt proto clean

all: build

build:
	$(GO) build $(GOFLAGS_BUILD) -o $(TRTC) ./cmd/trtc

# plugins builds every converter plugin under plugins/ into bin/plugins/, with
# the flags trtc is built with: Go refuses a plugin built otherwise.
PLUGINS := $(notdir $(wildcard plugins/*))
plugins:
	@mkdir -p $(BIN)/plugins
	@for p in $(PLUGINS); do \
		echo "$(GO) build -buildmode=plugin $(GOFLAGS_BUILD) -o $(BIN)/plugins/$$p.so ./plugins/$$p"; \
		$(GO) build -buildmode=plugin $(GOFLAGS_BUILD) -o $(BIN)/plugins/$$p.so ./plugins/$$p || exit 1; \
	done

# example compiles the bundled ResNet, runs the bundle on its input and checks
# the output against ONNX Runtime's (atol 1e-4, rtol 1e-3).
example: build
	@mkdir -p $(OUT)
	$(TRTC) compile $(EXAMPLE)/model.onnx -o $(OUT)/resnet.trtb --report $(OUT)/report.json
	$(TRTC) run $(OUT)/resnet.trtb --input $(EXAMPLE)/input.npy --output-dir $(OUT) --expect $(EXAMPLE)/expected

# test runs every test, including the ONNX node test suite from
# ../shared/onnx-node-tests (skipped with a message where it is absent).
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m ./...

test-short:
	$(GO) test -short ./...

# bench runs the compile-time and run-latency benchmarks (see docs/benchmarks.md).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./pkg/compiler/ ./internal/e2e/

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

clean:
	rm -rf $(BIN) $(OUT)
