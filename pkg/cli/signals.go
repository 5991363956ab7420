package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/trtc-dev/trtc/internal/atomicfile"
)

// stopGrace is how long trtc waits, after SIGINT or SIGTERM, for the
// command to notice its cancelled context and return before it exits anyway.
const stopGrace = time.Second

// MainProcess is Main for the trtc process: SIGINT and SIGTERM remove every
// temporary file trtc has open (so no partial bundle, report or output is
// left, and none can be started), cancel the command's context, and end the
// process with 128+signal (130 for SIGINT, 143 for SIGTERM), the shell's
// convention, within stopGrace. A file being renamed into place at that
// moment either lands whole or not at all.
func MainProcess(args []string, stdout, stderr io.Writer) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped := make(chan int, 1)
	go func() {
		s, ok := <-sigs
		if !ok {
			return
		}
		atomicfile.RemoveTemps()
		code := 128 + int(s.(syscall.Signal))
		stopped <- code
		cancel()
		fmt.Fprintf(stderr, "trtc: stopped by %v; no partial output was left\n", s)
		time.Sleep(stopGrace)
		os.Exit(code)
	}()
	code := MainContext(ctx, args, stdout, stderr)
	signal.Stop(sigs)
	select {
	case c := <-stopped:
		return c
	default:
	}
	return code
}
