package bundle_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"passerelle/app/bundle"
)

// BenchmarkPack packs the shipped catalog, as the hub does at each change.
func BenchmarkPack(b *testing.B) {
	dir := shippedCopy(b)
	var size int
	for b.Loop() {
		archive, _, err := bundle.Pack(dir)
		if err != nil {
			b.Fatal(err)
		}
		size = len(archive)
	}
	b.ReportMetric(float64(size), "archive-bytes")
}

// BenchmarkUnpack unpacks the shipped catalog: both checking passes, the
// writes and the hash of what was written.
func BenchmarkUnpack(b *testing.B) {
	archive, _, err := bundle.Pack(shippedCopy(b))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		i++
		if _, err := bundle.Unpack(archive, filepath.Join(dir, strconv.Itoa(i))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInstall installs the shipped catalog on a kiosk, alternating
// two versions so each round does the whole work: unpack, hash, validate,
// sync to disk, swap, prune.
func BenchmarkInstall(b *testing.B) {
	dataDir := b.TempDir()
	if _, err := bundle.EnsureLink(dataDir, shipped); err != nil {
		b.Fatal(err)
	}
	versions := [2]version{}
	for i, title := range []string{"Version un", "Version deux"} {
		versions[i] = edited(b, title)
	}
	i := 0
	for b.Loop() {
		v := versions[i%2]
		i++
		if err := bundle.Install(context.Background(), dataDir, v.archive, v.hash); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(versions[0].archive)), "archive-bytes")
}
