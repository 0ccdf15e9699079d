package cli

import (
	"fmt"
	"io"
	"runtime/debug"
)

// version and commit name the build. The Debian package's build sets
// them (packaging/build-deb.sh, -ldflags -X): its version and the commit
// it was built from. A build from a checkout leaves them empty and
// takes the commit Go records in the binary, when it records one.
var stampedVersion, stampedCommit string

// buildVersion returns the version and the commit of this binary;
// "unknown" for what it cannot tell.
func buildVersion() (v, c string) {
	v, c = stampedVersion, stampedCommit
	info, ok := debug.ReadBuildInfo()
	if v == "" && ok && info.Main.Version != "" {
		v = info.Main.Version // "(devel)" for a build from a checkout
	}
	if c == "" && ok {
		var modified string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				c = shortHash(s.Value)
			case "vcs.modified":
				if s.Value == "true" {
					modified = "+changes"
				}
			}
		}
		if c != "" {
			c += modified
		}
	}
	if v == "" {
		v = "unknown"
	}
	if c == "" {
		c = "unknown"
	}
	return v, c
}

// runVersion prints the version and the commit, for passerelle --version.
func runVersion(stdout io.Writer) int {
	v, c := buildVersion()
	fmt.Fprintf(stdout, "passerelle %s (commit %s)\n", v, c)
	return 0
}
