package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestProgress(t *testing.T) {
	for _, c := range []struct {
		tty    bool
		format string
		shown  bool
	}{{true, "console", true}, {false, "console", false}, {true, "json", false}} {
		var buf bytes.Buffer
		p := newProgress(&IO{Err: &buf, TTY: c.tty, logFormat: c.format}, "run b.trtb")
		p.stage("segment", 2, 5)
		p.stage("engine", 1, 3)
		p.done()
		p.done()
		p.stage("late", 0, 0) // after done: nothing
		out := buf.String()
		if !c.shown {
			if out != "" {
				t.Errorf("tty %v, %s: progress shown: %q", c.tty, c.format, out)
			}
			continue
		}
		for _, want := range []string{"\r\x1b[Krun b.trtb: segments 2/5 done (0s)", "engines 1/3 built"} {
			if !strings.Contains(out, want) {
				t.Errorf("progress %q lacks %q", out, want)
			}
		}
		if !strings.HasSuffix(out, "\r\x1b[K") || strings.Contains(out, "late") {
			t.Errorf("progress not cleared at the end, or drawn after it: %q", out)
		}
	}
}
