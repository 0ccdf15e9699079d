package ui_test

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"passerelle/app/audio"
	"passerelle/app/sqlite"
	"passerelle/app/ui"
)

// BenchmarkNewKiosk measures what the kiosk does on the UI side before its
// window shows: New on the shipped catalog, up to the welcome screen laid
// out (packaging/bench.sh measures the whole start from outside).
func BenchmarkNewKiosk(b *testing.B) {
	source := openCatalog(b, shipped)
	a := test.NewTempApp(b)
	a.Settings().SetTheme(ui.Theme())
	db := sqlite.NewDB(filepath.Join(b.TempDir(), "kiosk.db"))
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	player := audio.NewPlayer(audio.NewNullSink(0), audio.NewSpeech(speechCache, ""), audio.WithLogger(logger))
	defer player.Close()
	for b.Loop() {
		w := test.NewWindow(nil)
		w.Resize(fyne.NewSize(1280, 800))
		k := ui.New(w, ui.Deps{Catalog: source, Store: db, Player: player, Logger: logger}, ui.DefaultSettings)
		w.Content().Resize(w.Canvas().Size())
		b.StopTimer()
		k.Close()
		w.Close()
		b.StartTimer()
	}
}
