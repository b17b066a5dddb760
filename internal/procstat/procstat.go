// Package procstat reads what the running process has used so far: its
// processor time, in user space and in the kernel, its page faults and the
// bytes it handed the kernel to write. Benchmarks report these beside their
// rates, because on a shared machine they move far less than the rates do.
package procstat

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Usage is the process's use of the machine so far.
type Usage struct {
	CPU    time.Duration // user and system
	System time.Duration // in the kernel
	Faults int64         // page faults, minor and major
}

// Now returns the process's usage so far; zero if the system cannot say.
func Now() Usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return Usage{}
	}
	return Usage{CPU: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), System: time.Duration(ru.Stime.Nano()),
		Faults: ru.Minflt + ru.Majflt}
}

// CPUTime is the processor time the process has used, user and system.
func CPUTime() time.Duration { return Now().CPU }

// Written is the number of bytes the process has passed to write system
// calls so far (wchar of /proc/self/io): files and sockets alike.
func Written() (int64, error) {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0, fmt.Errorf("bytes written: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("bytes written: %w", err)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("bytes written: no wchar in /proc/self/io")
}
