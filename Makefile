.PHONY: proto

PROTOS := $(shell find proto -name '*.proto')
PROTOC_GEN_GO := $(CURDIR)/bin/protoc-gen-go

# proto regenerates every *.pb.go beside its .proto, with the protoc-gen-go
# that go.mod pins.
proto:
	go build -o $(PROTOC_GEN_GO) google.golang.org/protobuf/cmd/protoc-gen-go
	protoc --plugin=protoc-gen-go=$(PROTOC_GEN_GO) --go_out=. --go_opt=paths=source_relative $(PROTOS)
