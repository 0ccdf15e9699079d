package cli

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"syscall"
)

// ProfileFromEnv starts the profiles the environment asks for (below) and
// returns what stops and writes them, to call before the process exits.
func ProfileFromEnv() (stop func()) {
	profileHeapOnSignal()
	return profileCPU()
}

// profileHeapOnSignal writes a heap profile into the folder named by
// PASSERELLE_HEAP_PROFILE at each SIGUSR1 (heap-1.pprof, heap-2.pprof...),
// after a collection, so that it shows what is kept rather than what
// waits to be swept: packaging/bench/walks.sh uses it to find what a
// long day of walks retains (`go tool pprof -sample_index=inuse_space`).
// It also logs the heap in use and what Go holds from the system.
// Without the variable it does nothing.
func profileHeapOnSignal() {
	dir := os.Getenv("PASSERELLE_HEAP_PROFILE")
	if dir == "" {
		return
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGUSR1)
	go func() {
		for n := 1; ; n++ {
			<-signals
			if err := writeHeapProfile(filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", n))); err != nil {
				fmt.Fprintln(os.Stderr, "heap profile:", err)
			}
		}
	}()
}

// profileCPU profiles the whole run into the file named by
// PASSERELLE_CPU_PROFILE, to see what a touch costs inside the real
// window (packaging/bench.sh's probe touches it from outside). It returns
// what stops the profile and writes it; without the variable, nothing.
func profileCPU() (stop func()) {
	path := os.Getenv("PASSERELLE_CPU_PROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cpu profile:", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

func writeHeapProfile(path string) error {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	// What Go holds from the system, beside what is in use: the rest of
	// the process's memory is C's (GL textures, SQLite, libraries).
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	mb := func(n uint64) string { return fmt.Sprintf("%.1f", float64(n)/(1<<20)) }
	fmt.Fprintf(os.Stderr, "heap profile %s: heap_inuse_mb=%s go_held_mb=%s\n", path, mb(m.HeapInuse), mb(m.Sys-m.HeapReleased))
	return f.Close()
}
