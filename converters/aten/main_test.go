package aten_test

import (
	"os"
	"testing"

	"github.com/trtc-dev/trtc/converters/convtest"
)

// TestMain fails the package when a built-in ATen converter was not
// exercised by any numerical case (a case in a table is not enough if its
// validator sends it to another converter).
func TestMain(m *testing.M) { os.Exit(convtest.CheckAllTested(m, "aten.")) }
