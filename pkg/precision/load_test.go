package precision_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/trtc-dev/trtc/pkg/frontend"
	"github.com/trtc-dev/trtc/pkg/ir"
)

func compilerLoad(path string) (*ir.Graph, error) { return frontend.Load(path, "") }

func readDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "precision.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
