// Command probe measures a Fyne app from outside its process, through the
// X server it draws on and the PulseAudio sink it plays to, for
// packaging/bench.sh:
//
//	probe run [-touch "X,Y X,Y"] [-touches N] [-setup "X,Y"] [-sound MONITOR] -- CMD ARGS...
//	probe summary -ref NAME < FIGURES
//
// run starts CMD and prints, one "figure value" a line:
//   - start_ms: from exec to the window mapped (the X server's MapNotify);
//   - paint_ms: from exec to the window first showing something drawn;
//   - pss_mb, rss_mb: its memory 3 s after it mapped;
//   - idle_cpu_pct: its CPU over the next 3 s (after -idle-after),
//     touched by nobody;
//   - pss_idle_mb: its memory at the end of those 3 s;
//   - touch_pixels_ms, one a touch: from the click sent (XTEST, through
//     the X server, as a touch screen's driver does) to the first drawing
//     (DAMAGE) after which the window's pixels differ from before the
//     click. The touches cycle through -touch's places; before each one
//     the pointer is moved there and the window left to settle, so that
//     a hover effect is not counted.
//   - touch_sound_ms, one a touch when -sound names a PulseAudio monitor:
//     from the click to the first sample above -36 dBFS recorded on it.
//     Before each touch the monitor must have been silent for 300 ms.
//
// Resolution: DAMAGE events come within a fraction of a millisecond of
// the drawing; the sound's onset is placed by the samples' position in
// the chunk parec delivers, so it carries parec's latency (asked 5 ms).
//
// summary reads "app figure value" lines and prints, for each figure, the
// median of the runs for once-a-run figures, p50/p95/max of all the
// samples for touch figures, with the ratio to the app named -ref.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: probe run|summary ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = run(os.Args[2:])
	case "summary":
		err = summary(os.Args[2:], os.Stdin, os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
}

type point struct{ x, y int }

func parsePoints(s string) ([]point, error) {
	var ps []point
	for _, f := range strings.Fields(s) {
		var p point
		if _, err := fmt.Sscanf(f, "%d,%d", &p.x, &p.y); err != nil {
			return nil, fmt.Errorf("place %q: want X,Y", f)
		}
		ps = append(ps, p)
	}
	return ps, nil
}

func run(args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	touchAt := fs.String("touch", "", "places touched in turn, \"X,Y X,Y\"")
	touches := fs.Int("touches", 20, "touches measured")
	setupAt := fs.String("setup", "", "places touched once before measuring touches")
	monitor := fs.String("sound", "", "PulseAudio monitor source to hear the app on")
	settle := fs.Duration("settle", 3*time.Second, "wait after mapping before memory")
	fs.DurationVar(&quiet, "quiet", quiet, "how long the window must draw nothing before a touch")
	idleAfter := fs.Duration("idle-after", 0, "wait after the memory reading before measuring idle CPU")
	if err := fs.Parse(args); err != nil {
		return err
	}
	places, err := parsePoints(*touchAt)
	if err != nil {
		return err
	}
	setup, err := parsePoints(*setupAt)
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("no command to run")
	}
	x, err := openDisplay()
	if err != nil {
		return err
	}
	var ear *ear
	if *monitor != "" {
		if ear, err = listen(*monitor); err != nil {
			return err
		}
		defer ear.close()
	}

	start := time.Now()
	a, err := startApp(fs.Args())
	if err != nil {
		return err
	}
	defer a.stop()
	deadline := start.Add(30 * time.Second)
	for x.win == 0 {
		if err := a.gone(); err != nil {
			return fmt.Errorf("the app stopped before its window was mapped: %w", err)
		}
		if time.Now().After(deadline) {
			return errors.New("the window was not mapped within 30 s")
		}
		// Short waits: an app that stops before it maps is seen at once.
		x.next(time.Now().Add(50 * time.Millisecond))
	}
	fmt.Printf("start_ms %.1f\n", ms(time.Since(start)))
	for {
		if _, drawn := x.pixels(); drawn {
			fmt.Printf("paint_ms %.1f\n", ms(time.Since(start)))
			break
		}
		if time.Now().After(deadline) {
			return errors.New("nothing was drawn within 30 s")
		}
		x.next(time.Now().Add(10 * time.Millisecond))
	}
	mappedAt := time.Now()
	drain(x, mappedAt.Add(*settle))
	pss, rss, err := memory(a.pid())
	if err != nil {
		return a.why(err)
	}
	fmt.Printf("pss_mb %.1f\nrss_mb %.1f\n", pss, rss)
	drain(x, time.Now().Add(*idleAfter))
	cpu0, err := cpuTime(a.pid())
	if err != nil {
		return a.why(err)
	}
	t0 := time.Now()
	drain(x, t0.Add(3*time.Second))
	cpu1, err := cpuTime(a.pid())
	if err != nil {
		return a.why(err)
	}
	fmt.Printf("idle_cpu_pct %.2f\n", 100*float64(cpu1-cpu0)/float64(time.Since(t0)))
	// The memory again, once the app has been idle that long: what it
	// keeps while it waits, after what its start left is collected.
	if pss, _, err = memory(a.pid()); err != nil {
		return a.why(err)
	}
	fmt.Printf("pss_idle_mb %.1f\n", pss)

	for _, p := range setup {
		x.move(p.x, p.y)
		x.click()
		settleDown(x, ear)
	}
	for i := 0; i < *touches && len(places) > 0; i++ {
		p := places[i%len(places)]
		x.move(p.x, p.y)
		settleDown(x, ear)
		before, _ := x.pixels()
		if ear != nil {
			ear.arm()
		}
		x.click()
		clicked := time.Now()
		changed := false
		for end := clicked.Add(2 * time.Second); !changed; {
			e := x.next(end)
			if e == timeout {
				break
			}
			if e != damaged {
				continue
			}
			at := time.Now()
			if h, _ := x.pixels(); h != before {
				fmt.Printf("touch_pixels_ms %.2f\n", ms(at.Sub(clicked)))
				changed = true
			}
		}
		if !changed {
			fmt.Println("touch_pixels_missed 1")
		}
		if ear != nil {
			select {
			case at := <-ear.onset:
				fmt.Printf("touch_sound_ms %.2f\n", ms(at.Sub(clicked)))
			case <-time.After(2 * time.Second):
				fmt.Println("touch_sound_missed 1")
			}
		}
	}
	if err := a.gone(); err != nil {
		return fmt.Errorf("the app stopped by itself during the run: %w", err)
	}
	return nil
}

// app is the process measured.
type app struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once it has exited, err set
	err    error         // how it exited
}

// startApp starts the command, its output on the probe's stderr.
func startApp(args []string) (*app, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", args[0], err)
	}
	a := &app{cmd: cmd, exited: make(chan struct{})}
	go func() {
		a.err = cmd.Wait()
		if a.err == nil {
			a.err = errors.New("exit status 0")
		}
		close(a.exited)
	}()
	return a, nil
}

func (a *app) pid() int { return a.cmd.Process.Pid }

// gone returns nil while the app runs, how it exited once it has.
func (a *app) gone() error {
	select {
	case <-a.exited:
		return a.err
	default:
		return nil
	}
}

// why says that the app had stopped when reading it failed with err.
func (a *app) why(err error) error {
	if gone := a.gone(); gone != nil {
		return fmt.Errorf("the app stopped during the run (%v): %w", gone, err)
	}
	return err
}

// stop sends SIGTERM. An app that does not stop within 10 s is killed,
// and said so: a kiosk must stop when its session does.
func (a *app) stop() {
	if a.gone() != nil {
		return
	}
	a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.exited:
	case <-time.After(10 * time.Second):
		fmt.Println("stop_hung 1")
		fmt.Fprintf(os.Stderr, "probe: the app (pid %d) did not stop within 10 s of SIGTERM: killed\n", a.pid())
		a.cmd.Process.Kill()
		<-a.exited
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// drain takes the window's events until the deadline.
func drain(x *display, until time.Time) {
	for time.Now().Before(until) {
		x.next(until)
	}
}

// settleDown waits until the window has drawn nothing for 200 ms and the
// sound has been silent for 300 ms, 10 s at most.
// quiet is how long the window must draw nothing before a touch.
var quiet = 200 * time.Millisecond

func settleDown(x *display, e *ear) {
	limit := time.Now().Add(10 * time.Second)
	for time.Now().Before(limit) {
		if x.next(time.Now().Add(quiet)) != timeout {
			continue
		}
		if e == nil || e.silentFor() > 300*time.Millisecond {
			return
		}
	}
}

// memory reads the process's proportional and resident set sizes, in MB.
func memory(pid int) (pss, rss float64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "Pss:":
			pss = kb / 1024
		case "Rss:":
			rss = kb / 1024
		}
	}
	return pss, rss, nil
}

// cpuTime is the CPU the process used so far (user and system).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return time.Duration(utime+stime) * tick, nil
}

func summary(args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("summary", flag.ContinueOnError)
	ref := fs.String("ref", "bare", "the reference app")
	if err := fs.Parse(args); err != nil {
		return err
	}
	values := map[string]map[string][]float64{} // figure, app
	var apps, figures []string
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			continue
		}
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			continue
		}
		if values[f[1]] == nil {
			values[f[1]] = map[string][]float64{}
			figures = append(figures, f[1])
		}
		if !contains(apps, f[0]) {
			apps = append(apps, f[0])
		}
		values[f[1]][f[0]] = append(values[f[1]][f[0]], v)
	}
	fmt.Fprintf(out, "%-24s", "figure")
	for _, a := range apps {
		fmt.Fprintf(out, " %16s", a)
	}
	fmt.Fprintf(out, "  (ratio to %s)\n", *ref)
	line := func(name string, pick func([]float64) float64, fig string) {
		fmt.Fprintf(out, "%-24s", name)
		r := values[fig][*ref]
		for _, a := range apps {
			vs := values[fig][a]
			if len(vs) == 0 {
				fmt.Fprintf(out, " %16s", "-")
				continue
			}
			v := pick(vs)
			cell := strconv.FormatFloat(v, 'f', 1, 64)
			if a != *ref && len(r) > 0 && pick(r) > 0 {
				cell += fmt.Sprintf(" %.2fx", v/pick(r))
			}
			fmt.Fprintf(out, " %16s", cell)
		}
		fmt.Fprintln(out)
	}
	for _, fig := range figures {
		switch {
		case strings.HasSuffix(fig, "_missed"), strings.HasSuffix(fig, "_hung"):
			line(fig, sum, fig)
		case strings.HasPrefix(fig, "touch_"):
			line(fig+" p50", quantile(0.5), fig)
			line(fig+" p95", quantile(0.95), fig)
			line(fig+" max", quantile(1), fig)
		default:
			line(fig+" median", quantile(0.5), fig)
		}
	}
	return nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func sum(vs []float64) float64 {
	t := 0.0
	for _, v := range vs {
		t += v
	}
	return t
}

// quantile picks the value at q of the sorted values (nearest rank).
func quantile(q float64) func([]float64) float64 {
	return func(vs []float64) float64 {
		s := append([]float64(nil), vs...)
		sort.Float64s(s)
		i := int(q*float64(len(s))+0.999999) - 1
		if i < 0 {
			i = 0
		}
		return s[i]
	}
}
