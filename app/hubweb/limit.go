package hubweb

import (
	"net/netip"
	"time"

	"passerelle/app/passerelle"
)

// The wrong passwords in a row are counted in the hub's store, by account
// and by address, so that every hub on the database sees them and a
// restart forgets none; the delays are the kiosk's PIN's.

// loginKeys names the counts a try at name from addr counts in. A name no
// account can have (passerelle.CheckStaffName) has no count of its own:
// it cannot be guessed, and a flood of such names fills nothing; its
// tries count for the address all the same.
func loginKeys(name, addr string) []string {
	keys := []string{"address:" + addressKey(addr)}
	if passerelle.CheckStaffName(name) == nil {
		keys = append(keys, "account:"+name)
	}
	return keys
}

// addressKey is the address whose tries count together: an IPv4 address,
// or the /64 network of an IPv6 one, as one line or one customer gets a
// whole /64 and could try from each of its addresses in turn.
func addressKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return "other" // not an IP (a Unix socket): no address to tell apart
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	return netip.PrefixFrom(ip, 64).Masked().String()
}

// loginWait is how long after now before the next try, the longest that
// one of the counts asks.
func loginWait(failures []passerelle.PINFailures, now time.Time) time.Duration {
	var wait time.Duration
	for _, f := range failures {
		wait = max(wait, f.Wait(now))
	}
	return wait
}

// overtaken reports whether other tries were counted between the read of
// the counts and this try's count (counted, the counts with it) and used
// up the free tries: this try comes after them, and must wait. Counts
// cleared or forgotten between (a sign-in, a day passed) start again from
// zero, which needs no wait.
func overtaken(read, counted []passerelle.PINFailures) bool {
	for i, c := range counted {
		before := c.Count - 1 // the count this try came after
		if before != read[i].Count && passerelle.PINDelay(before) > 0 {
			return true
		}
	}
	return false
}
