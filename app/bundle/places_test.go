package bundle_test

import (
	"context"
	"path/filepath"
	"testing"

	"passerelle/app/bundle"
	"passerelle/app/procedure"
)

// TestBundleCarriesThePlaces: the hub's bundle carries the catalog's help
// places, so a kiosk that installs it shows the same places on handoff.
func TestBundleCarriesThePlaces(t *testing.T) {
	src := shippedCopy(t)
	archive, _, err := bundle.Pack(src)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if _, err := bundle.Unpack(archive, out); err != nil {
		t.Fatal(err)
	}
	want, _ := procedure.Load(context.Background(), src)
	got, err := procedure.Load(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Places) == 0 || len(got.Places) != len(want.Places) {
		t.Fatalf("unpacked catalog has %d places, the folder %d", len(got.Places), len(want.Places))
	}
	for i, p := range got.Places {
		if p.ID != want.Places[i].ID || len(p.Pictogram.Data) == 0 {
			t.Errorf("place %d: %s (pictogram %d bytes), want %s", i, p.ID, len(p.Pictogram.Data), want.Places[i].ID)
		}
	}
}
