package cli

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress is the one-line display of a compile's stages and engine builds
// and of a run's segments, redrawn in place on stderr. It is shown only
// where stderr is a terminal and logs are not JSON; elsewhere every method
// does nothing, so scripts and CI logs never see it. Once a second it
// redraws the elapsed time, so a long engine build still shows life.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	on      bool
	label   string
	text    string
	start   time.Time
	shown   bool
	stop    chan struct{}
	stopped sync.Once
}

func newProgress(s *IO, label string) *progress {
	p := &progress{w: s.Err, on: s.TTY && s.logFormat != "json", label: label, start: time.Now(), stop: make(chan struct{})}
	if p.on {
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-p.stop:
					return
				case <-t.C:
					p.mu.Lock()
					p.draw()
					p.mu.Unlock()
				}
			}
		}()
	}
	return p
}

// stage shows a stage ("parse", "engine" 3 of 7, ...).
func (p *progress) stage(stage string, done, total int) {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case stage == "engine" && total > 0:
		p.text = fmt.Sprintf("engines %d/%d built", done, total)
	case stage == "segment" && total > 0:
		p.text = fmt.Sprintf("segments %d/%d done", done, total)
	default:
		p.text = stage
	}
	p.draw()
}

// draw writes the line; p.mu is held.
func (p *progress) draw() {
	if !p.on || p.text == "" {
		return
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s: %s (%s)", p.label, p.text, time.Since(p.start).Round(time.Second))
	p.shown = true
}

// done clears the line and stops the display; it may be called again.
func (p *progress) done() {
	if p == nil || !p.on {
		return
	}
	p.stopped.Do(func() { close(p.stop) })
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
	p.on = false
}
