package main

/*
#cgo LDFLAGS: -lX11 -l:libXtst.so.6 -l:libXdamage.so.1
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>

// XTest and XDamage, declared here rather than from their -dev headers,
// which the build machines do not carry; the libraries come with xdotool
// and Mesa.
extern int XTestQueryExtension(Display*, int*, int*, int*, int*);
extern int XTestFakeButtonEvent(Display*, unsigned int, int, unsigned long);
extern int XDamageQueryExtension(Display*, int*, int*);
extern XID XDamageCreate(Display*, Drawable, int);
extern void XDamageSubtract(Display*, XID, XID, XID);

enum { evTimeout, evMap, evDamage, evOther };

// next_event waits up to timeout_ms for an event: a top-level window
// mapped (its id in *win), the damage object reporting new drawing, or
// anything else.
static int next_event(Display *d, int timeout_ms, int damage_base, Window *win) {
	if (XPending(d) == 0) {
		struct pollfd p = { ConnectionNumber(d), POLLIN, 0 };
		if (poll(&p, 1, timeout_ms) <= 0 || XPending(d) == 0) return evTimeout;
	}
	XEvent ev;
	XNextEvent(d, &ev);
	if (ev.type == MapNotify && !ev.xmap.override_redirect) {
		*win = ev.xmap.window;
		return evMap;
	}
	if (ev.type == damage_base) return evDamage;  // XDamageNotify is 0
	return evOther;
}

// grab_hash hashes the window's pixels (FNV-1a) and says whether they
// hold more than one colour.
static uint64_t grab_hash(Display *d, Window w, int *colours) {
	XWindowAttributes a;
	*colours = 0;
	if (!XGetWindowAttributes(d, w, &a)) return 0;
	XImage *im = XGetImage(d, w, 0, 0, a.width, a.height, AllPlanes, ZPixmap);
	if (!im) return 0;
	uint64_t h = 14695981039346656037ULL;
	unsigned long first = XGetPixel(im, 0, 0);
	int n = im->bytes_per_line * im->height;
	for (int i = 0; i < n; i++) { h ^= (unsigned char)im->data[i]; h *= 1099511628211ULL; }
	*colours = 1;
	for (int y = 0; y < im->height && *colours == 1; y += 4)
		for (int x = 0; x < im->width; x += 4)
			if (XGetPixel(im, x, y) != first) { *colours = 2; break; }
	XDestroyImage(im);
	return h;
}

static void click(Display *d) {
	XTestFakeButtonEvent(d, 1, True, 0);
	XTestFakeButtonEvent(d, 1, False, 0);
	XSync(d, False);
}

static void warp(Display *d, int x, int y) {
	XWarpPointer(d, None, DefaultRootWindow(d), 0, 0, 0, 0, x, y);
	XSync(d, False);
}
*/
import "C"

import (
	"errors"
	"time"
)

// display is a connection to the X server the measured app draws on.
type display struct {
	d          *C.Display
	damageBase C.int
	win        C.Window
	damage     C.XID
}

func openDisplay() (*display, error) {
	d := C.XOpenDisplay(nil)
	if d == nil {
		return nil, errors.New("cannot open the X display (is DISPLAY set?)")
	}
	var ev, er, maj, min C.int
	if C.XTestQueryExtension(d, &ev, &er, &maj, &min) == 0 {
		return nil, errors.New("the X server has no XTEST extension")
	}
	var base C.int
	if C.XDamageQueryExtension(d, &base, &er) == 0 {
		return nil, errors.New("the X server has no DAMAGE extension")
	}
	// Top-level windows mapped on the root are reported to us.
	C.XSelectInput(d, C.XDefaultRootWindow(d), C.SubstructureNotifyMask)
	C.XSync(d, 0)
	return &display{d: d, damageBase: base}, nil
}

type event int

const (
	timeout event = iota
	mapped
	damaged
	other
)

// next waits for the next event, at most until deadline.
func (x *display) next(deadline time.Time) event {
	ms := time.Until(deadline).Milliseconds()
	if ms < 0 {
		ms = 0
	}
	var w C.Window
	e := event(C.next_event(x.d, C.int(ms), x.damageBase, &w))
	switch e {
	case mapped:
		if x.win == 0 {
			x.win = w
			// XDamageReportNonEmpty: one event each time the window's
			// damage goes from nothing to something.
			x.damage = C.XDamageCreate(x.d, C.Drawable(w), 3)
			C.XSync(x.d, 0)
		}
	case damaged:
		C.XDamageSubtract(x.d, x.damage, 0, 0)
		C.XFlush(x.d)
	}
	return e
}

// pixels hashes the window's contents and says whether it shows more
// than one colour (something was drawn).
func (x *display) pixels() (hash uint64, drawn bool) {
	var colours C.int
	h := C.grab_hash(x.d, x.win, &colours)
	return uint64(h), colours > 1
}

func (x *display) move(px, py int) { C.warp(x.d, C.int(px), C.int(py)) }
func (x *display) click()          { C.click(x.d) }
