// Package unprivileged lets a test about file permissions run where the
// tests run as root, as in CI: root reads and writes whatever the
// permissions say, so such a test would otherwise only ever skip there.
package unprivileged

// marker tells the copy of the test binary that it is the unprivileged
// run, so it does not start another one.
const marker = "PASSERELLE_TEST_UNPRIVILEGED"
