package main

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// barProgress shows long work as a progress bar on standard error.
type barProgress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

type silent struct{}

func (silent) Start(int64, string) {}
func (silent) Add(int)             {}
func (silent) Done()               {}

func newProgress(w io.Writer, quiet bool) interface {
	Start(int64, string)
	Add(int)
	Done()
} {
	if quiet {
		return silent{}
	}
	return &barProgress{w: w}
}

func (p *barProgress) Start(total int64, what string) {
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetRenderBlankState(false),
		progressbar.OptionClearOnFinish(),
	)
}

func (p *barProgress) Add(n int) {
	if p.bar != nil {
		p.bar.Add(n)
	}
}

func (p *barProgress) Done() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
}
