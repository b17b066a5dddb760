package procstat

import (
	"io"
	"os"
)

// Fataler is what Record reports a failure to: a benchmark or a test.
type Fataler interface {
	Fatalf(format string, args ...any)
}

// Record starts recording what start records until end is called (a CPU
// profile, an execution trace) into the file the environment variable
// env names, if it names one, so that a benchmark records its timed span
// alone rather than its set-up too. It returns what ends the recording
// and closes the file; a file that cannot be written or closed is
// reported to tb, naming the variable.
func Record(tb Fataler, env string, start func(io.Writer) error, end func()) (stop func()) {
	path := os.Getenv(env)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		tb.Fatalf("%s: %v", env, err)
		return func() {}
	}
	if err := start(f); err != nil {
		f.Close()
		tb.Fatalf("%s: %v", env, err)
		return func() {}
	}
	return func() {
		end()
		if err := f.Close(); err != nil {
			tb.Fatalf("%s: %v", env, err)
		}
	}
}
