package hubapi

import (
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"
)

// fault is what the proxy does to one connection.
type fault int

const (
	faultNone      fault = iota
	faultDrop            // closed at once: the kiosk cannot connect
	faultCutAsk          // the request cut halfway: the hub never reads it whole
	faultDelay           // every chunk late: slow link
	faultDuplicate       // every request sent twice to the hub, at once
	faultCutAnswer       // the hub's answer cut: it stored the batch, the kiosk never hears the ack
	faultCount
)

var faultNames = [...]string{"connections", "drop", "cut request", "delay", "duplicate", "cut answer"}

// proxy is a TCP proxy between a kiosk and its hub that hurts some
// connections: the network as a kiosk on a weak link meets it.
type proxy struct {
	ln   net.Listener
	URL  string
	rate float64 // the share of connections hurt

	mu       sync.Mutex
	upstream string
	rng      *rand.Rand
	seen     [faultCount]int
	conns    map[net.Conn]bool
	// onChunk, when set, sees every chunk going to the hub before it is
	// forwarded: the hub-kill test kills the hub mid-batch from it.
	onChunk func([]byte)
	// onAccept, when set, is called at each connection accepted.
	onAccept func()

	wg sync.WaitGroup
}

// startProxy listens on loopback in front of upstream and hurts a share
// rate of the connections, drawn from seed. It stops at the test's end.
func startProxy(tb testing.TB, upstream string, seed uint64, rate float64) *proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &proxy{
		ln: ln, URL: "http://" + ln.Addr().String(), rate: rate, upstream: upstream,
		rng: rand.New(rand.NewPCG(seed, seed)), conns: map[net.Conn]bool{},
	}
	p.wg.Add(1)
	go p.serve()
	tb.Cleanup(p.Close)
	return p
}

// setUpstream points the proxy at another hub address (a restarted hub).
func (p *proxy) setUpstream(addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.upstream = addr
}

// hit counts a fault that struck (a cut that fell within the bytes the
// connection carried, not beyond).
func (p *proxy) hit(f fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen[f]++
}

// faults returns how many times each fault struck.
func (p *proxy) faults() [faultCount]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen
}

func (p *proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		f := faultNone
		if p.rng.Float64() < p.rate {
			f = fault(1 + p.rng.IntN(int(faultCount)-1))
		}
		// Where a cut falls, in bytes: anywhere in the first requests
		// (a batch is ~100 KB) or answers (an ack is ~20 KB) of the
		// connection, which carries several.
		cut := p.rng.IntN(40 << 10)
		if f == faultCutAnswer {
			cut = p.rng.IntN(16 << 10)
		}
		upstream := p.upstream
		p.conns[c] = true
		p.seen[faultNone]++ // every connection: the total
		onAccept := p.onAccept
		p.mu.Unlock()
		if onAccept != nil {
			onAccept()
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.handle(c, upstream, f, cut)
			p.forget(c)
		}()
	}
}

func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		return false
	}
	p.conns[c] = true
	return true
}

func (p *proxy) forget(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *proxy) dial(upstream string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", upstream, 5*time.Second)
	if err != nil {
		return nil, err
	}
	p.track(c)
	return c, nil
}

func (p *proxy) handle(client net.Conn, upstream string, f fault, cut int) {
	if f == faultDrop {
		p.hit(f)
		return
	}
	hub, err := p.dial(upstream)
	if err != nil {
		return // the hub is down: the kiosk sees its connection closed
	}
	defer p.forget(hub)
	var twin net.Conn // the duplicate's connection, its answers thrown away
	if f == faultDuplicate {
		if twin, err = p.dial(upstream); err == nil {
			defer p.forget(twin)
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				io.Copy(io.Discard, twin)
			}()
		}
	}
	answered := make(chan struct{})
	go func() {
		defer close(answered)
		p.answer(client, hub, f, cut)
	}()
	sent := 0
	buf := make([]byte, 32<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if f == faultCutAsk && sent+n > cut {
				hub.Write(chunk[:max(cut-sent, 0)])
				p.hit(f)
				break
			}
			if f == faultDelay {
				time.Sleep(time.Duration(1+cut%20) * time.Millisecond)
				p.hit(f)
			}
			p.mu.Lock()
			onChunk := p.onChunk
			p.mu.Unlock()
			if onChunk != nil {
				onChunk(chunk)
			}
			if _, err := hub.Write(chunk); err != nil {
				break
			}
			if twin != nil {
				twin.Write(chunk)
				p.hit(f)
			}
			sent += n
		}
		if err != nil {
			break
		}
	}
	client.Close()
	hub.Close()
	<-answered
}

// answer copies the hub's answers to the kiosk, cut at cut bytes for
// faultCutAnswer.
func (p *proxy) answer(client, hub net.Conn, f fault, cut int) {
	var w io.Writer = client
	if f == faultCutAnswer {
		w = &cutWriter{w: client, left: cut}
	}
	if f == faultDelay {
		time.Sleep(time.Duration(1+cut%20) * time.Millisecond)
	}
	if _, err := io.Copy(w, hub); errors.Is(err, errCut) {
		p.hit(f)
	}
	// Over, cut or failed: the kiosk's side closes with the hub's.
	client.Close()
	hub.Close()
}

var errCut = errors.New("cut by the proxy")

type cutWriter struct {
	w    io.Writer
	left int
}

func (c *cutWriter) Write(b []byte) (int, error) {
	if len(b) > c.left {
		n, _ := c.w.Write(b[:c.left])
		c.left = 0
		return n, errCut
	}
	c.left -= len(b)
	return c.w.Write(b)
}
