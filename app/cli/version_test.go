package cli

import (
	"bytes"
	"context"
	"regexp"
	"testing"
)

func TestVersion(t *testing.T) {
	for _, tc := range []struct {
		name            string
		version, commit string // stamped by the package's build; "" for a build from a checkout
		args            []string
		want            *regexp.Regexp
	}{
		{"--version of the package's build", "0.1.0", "668a31746cf4", []string{"--version"}, regexp.MustCompile(`^passerelle 0\.1\.0 \(commit 668a31746cf4\)\n$`)},
		{"-version", "0.2.0+ci1", "abc", []string{"-version"}, regexp.MustCompile(`^passerelle 0\.2\.0\+ci1 \(commit abc\)\n$`)},
		{"the version command", "0.1.0", "668a31746cf4", []string{"version"}, regexp.MustCompile(`^passerelle 0\.1\.0 \(commit 668a31746cf4\)\n$`)},
		// go test records no commit: a build from a checkout says what it
		// cannot tell rather than printing nothing.
		{"a build from a checkout", "", "", []string{"--version"}, regexp.MustCompile(`^passerelle \S+ \(commit \S+\)\n$`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			savedV, savedC := stampedVersion, stampedCommit
			t.Cleanup(func() { stampedVersion, stampedCommit = savedV, savedC })
			stampedVersion, stampedCommit = tc.version, tc.commit
			var out, errOut bytes.Buffer
			if code := Run(context.Background(), tc.args, &out, &errOut); code != 0 || errOut.Len() > 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			if !tc.want.MatchString(out.String()) {
				t.Errorf("printed %q, want %s", out.String(), tc.want)
			}
			if tc.version != "" {
				if got, want := appVersion(), tc.version+" "+tc.commit; got != want {
					t.Errorf("the version sent to the hub is %q, want %q", got, want)
				}
			}
		})
	}
}
