// Package cmdtest runs the trtc binary as a user would: built by `make
// build` (TestMain), and by every other documented build line
// (TestDocumentedBuilds), then started as a subprocess. Each README.md claim
// about the command line has a test here, and docs/ci.md's script runs as
// written (TestCIScript).
//
// It lives apart from cmd/trtc so that its test binary does not link
// package main, which imports Go's plugin package (see cli.PluginLoader):
// a plain `go test ./...` builds and runs it.
package cmdtest
