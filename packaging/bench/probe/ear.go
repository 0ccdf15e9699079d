package main

import (
	"encoding/binary"
	"io"
	"os/exec"
	"sync"
	"time"
)

const (
	rate = 48000
	// loud is -36 dBFS: above the dither of silence, below any voice.
	loud = 512
)

// ear records a PulseAudio monitor with parec and places each sample in
// time by its position in the chunk it came in.
type ear struct {
	cmd   *exec.Cmd
	onset chan time.Time // the first loud sample after arm

	mu       sync.Mutex
	lastLoud time.Time
	armedAt  time.Time
	armed    bool
}

func listen(monitor string) (*ear, error) {
	cmd := exec.Command("parec", "-d", monitor, "--raw", "--format=s16le",
		"--rate=48000", "--channels=1", "--latency-msec=5")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	e := &ear{cmd: cmd, onset: make(chan time.Time, 1), lastLoud: time.Now()}
	go e.hear(out)
	return e, nil
}

func (e *ear) hear(r io.Reader) {
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		now := time.Now()
		samples := n / 2
		for i := 0; i < samples; i++ {
			v := int16(binary.LittleEndian.Uint16(buf[2*i:]))
			if v < loud && v > -loud {
				continue
			}
			at := now.Add(-time.Duration(samples-i) * time.Second / rate)
			e.mu.Lock()
			e.lastLoud = at
			if e.armed && at.After(e.armedAt) {
				e.armed = false
				e.onset <- at
			}
			e.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// arm makes the next loud sample heard after now come through onset.
func (e *ear) arm() {
	e.mu.Lock()
	defer e.mu.Unlock()
	select {
	case <-e.onset:
	default:
	}
	e.armed, e.armedAt = true, time.Now()
}

func (e *ear) silentFor() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return time.Since(e.lastLoud)
}

func (e *ear) close() {
	e.cmd.Process.Kill()
	e.cmd.Wait()
}
