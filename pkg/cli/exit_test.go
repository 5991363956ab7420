package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/internal/sizes"
)

func innerBug() { var s []int; _ = s[3] }

// rethrow recovers and panics again, as the budget recovers in ops and the
// runtime do with panics that are not budget errors.
func rethrow() {
	defer func() {
		if r := recover(); r != nil {
			panic(r)
		}
	}()
	innerBug()
}

// The internal error names where the original panic happened, not the
// deferred function that re-panicked it.
func TestRecoveredNamesInnermostPanic(t *testing.T) {
	var err error
	func() {
		defer func() { err = recovered(recover(), stack()) }()
		rethrow()
	}()
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != ExitInternal {
		t.Fatalf("%v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "internal error") || !strings.Contains(msg, "cli.innerBug") || !strings.Contains(msg, "exit_test.go:11") {
		t.Errorf("message: %s", msg)
	}
	if exitCode(recovered(&sizes.Error{Bytes: 10, Limit: 1, Kind: "memory budget"}, nil)) != ExitMemory {
		t.Error("a budget panic is not exit 11")
	}
}
