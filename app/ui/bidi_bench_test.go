package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// BenchmarkSentenceFit fits a step's sentence to its box, as every layout
// of a step screen does: the Arabic one runs the bidi algorithm on each
// line and measures each piece.
func BenchmarkSentenceFit(b *testing.B) {
	test.NewTempApp(b)
	for _, bb := range []struct{ name, text string }{
		{"fr", "Avez-vous un téléphone portable à vous ? Il doit recevoir les SMS, les petits messages écrits."},
		{"ar", "هل لديك هاتف محمول خاص بك؟ يجب أن يستقبل الرسائل القصيرة، أي SMS."},
	} {
		b.Run(bb.name, func(b *testing.B) {
			block := textBlock{text: bb.text, max: sizesFor(0, false).text, floor: sizesFor(0, false).floor, style: fyne.TextStyle{Bold: true}, wrap: true}
			for b.Loop() {
				block.dirty = true
				block.fit(700, 140)
			}
		})
	}
}
