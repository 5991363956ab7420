// Command trtc compiles model graphs into TensorRT engine bundles and runs
// them. All behaviour lives in pkg/cli; this file only maps the outcome to
// an exit code.
package main

import (
	"os"

	"github.com/trtc-dev/trtc/pkg/cli"
)

func main() {
	os.Exit(cli.MainProcess(os.Args[1:], os.Stdout, os.Stderr))
}
