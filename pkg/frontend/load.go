// Package frontend reads a model file into an ir.Graph, choosing the parser
// by content first and extension second: onnx/ for ONNX ModelProto files,
// aten/ for torch.export archives and trtc graph protobufs.
package frontend

import (
	"bytes"
	"fmt"
	"github.com/trtc-dev/trtc/internal/safefile"
	"io"
	"path/filepath"
	"strings"

	"github.com/trtc-dev/trtc/pkg/frontend/aten"
	"github.com/trtc-dev/trtc/pkg/frontend/onnx"
	"github.com/trtc-dev/trtc/pkg/graphio"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// Formats lists the accepted --format values.
var Formats = []string{"onnx", "pt2", "pb"}

// Detect names a model file's format: "pt2" for a zip archive, "onnx" for
// .onnx files and other protobufs, "pb" for trtc graph protobufs (.pb files
// whose first field is trtc's magic).
func Detect(path string) (string, error) {
	f, _, err := safefile.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 64)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	head = head[:n]
	if n == 0 {
		return "", fmt.Errorf("%s: file is empty", path)
	}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "pt2", nil
	case bytes.Contains(head, []byte(graphMagic)):
		return "pb", nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".pt2", ".zip":
		return "pt2", nil
	}
	return "onnx", nil
}

// graphMagic is the value of trtc graph protobufs' first string field.
const graphMagic = "trtc.graph"

// Load reads a model. format "" detects it.
func Load(path, format string) (*ir.Graph, error) {
	if format == "" {
		var err error
		if format, err = Detect(path); err != nil {
			return nil, err
		}
	}
	switch format {
	case "onnx":
		return onnx.Load(path)
	case "pt2":
		return aten.Load(path)
	case "pb":
		return graphio.ReadFile(path)
	}
	return nil, fmt.Errorf("%s: unknown format %q (want one of %s)", path, format, strings.Join(Formats, ", "))
}
