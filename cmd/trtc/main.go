// Command trtc compiles model graphs into TensorRT engine bundles and runs
// them. All behaviour lives in pkg/cli; this file only gives it the plugin
// loader (the one import of Go's plugin package, see cli.PluginLoader) and
// maps the outcome to an exit code. Build it with
// -ldflags=-extldflags=-Wl,-z,lazy (make build), or it stops at start-up.
package main

import (
	"os"

	"github.com/trtc-dev/trtc/pkg/cli"
	"github.com/trtc-dev/trtc/pkg/conversion/pluginload"
)

func main() {
	cli.PluginLoader = pluginload.Load
	os.Exit(cli.MainProcess(os.Args[1:], os.Stdout, os.Stderr))
}
