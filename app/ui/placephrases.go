package ui

import "passerelle/app/passerelle"

// placePhrase names a sentence of the help places, the summary and the
// printer: kept apart from the kiosk's own phrases, with the same fallback.
type placePhrase int

const (
	phraseOpenNow   placePhrase = iota // a place open at the time of the screen
	phraseClosedNow                    // a place closed now
	phrasePhoneIs                      // takes the number
	// phraseKeepSummary follows the prompt of an end step: the QR code.
	phraseKeepSummary
	phrasePrint        // the print control's label
	phrasePrinting     // the print job was taken
	phrasePrintFailed  // lp missing or refusing the job
	phraseSummaryBring // the summary's headings
	phraseSummaryNext
	phraseSummaryWhere
)

var placePhrases = map[passerelle.Lang]map[placePhrase]string{
	"fr": {
		phraseOpenNow:      "Ouvert maintenant.",
		phraseClosedNow:    "Fermé maintenant.",
		phrasePhoneIs:      "Téléphone : %s.",
		phraseKeepSummary:  "Pour garder ce résumé, prenez en photo le carré noir et blanc avec votre téléphone.",
		phrasePrint:        "Imprimer",
		phrasePrinting:     "Le papier sort de l'imprimante. Prenez-le.",
		phrasePrintFailed:  "L'impression n'a pas marché. Demandez à l'accueil, s'il vous plaît.",
		phraseSummaryBring: "À apporter",
		phraseSummaryNext:  "À faire",
		phraseSummaryWhere: "Où aller",
	},
	"en": {
		phraseOpenNow:      "Open now.",
		phraseClosedNow:    "Closed now.",
		phrasePhoneIs:      "Phone: %s.",
		phraseKeepSummary:  "To keep this summary, take a photo of the black and white square with your phone.",
		phrasePrint:        "Print",
		phrasePrinting:     "The paper is coming out of the printer. Take it.",
		phrasePrintFailed:  "Printing did not work. Please ask at the front desk.",
		phraseSummaryBring: "To bring",
		phraseSummaryNext:  "To do",
		phraseSummaryWhere: "Where to go",
	},
	"ar": {
		phraseOpenNow:      "مفتوح الآن.",
		phraseClosedNow:    "مغلق الآن.",
		phrasePhoneIs:      "الهاتف: %s.",
		phraseKeepSummary:  "للاحتفاظ بهذا الملخص، التقط صورة للمربع الأسود والأبيض بهاتفك.",
		phrasePrint:        "طباعة",
		phrasePrinting:     "الورقة تخرج من الطابعة. خذها.",
		phrasePrintFailed:  "لم تنجح الطباعة. من فضلك اسأل في الاستقبال.",
		phraseSummaryBring: "ما يجب إحضاره",
		phraseSummaryNext:  "ما يجب فعله",
		phraseSummaryWhere: "إلى أين تذهب",
	},
}

// kindWords name the kinds of help place, spoken before a place's name.
var kindWords = map[passerelle.Lang]map[passerelle.PlaceKind]string{
	"fr": {
		passerelle.PlaceFranceServices: "France Services",
		passerelle.PlaceTownHall:       "Mairie",
		passerelle.PlaceLibrary:        "Bibliothèque",
		passerelle.PlaceCCAS:           "Centre d'action sociale",
		passerelle.PlaceAssociation:    "Association",
		passerelle.PlaceSocialCentre:   "Centre social",
		passerelle.PlaceOther:          "Lieu d'aide",
	},
	"en": {
		passerelle.PlaceFranceServices: "France Services office",
		passerelle.PlaceTownHall:       "Town hall",
		passerelle.PlaceLibrary:        "Library",
		passerelle.PlaceCCAS:           "Social services of the town",
		passerelle.PlaceAssociation:    "Association",
		passerelle.PlaceSocialCentre:   "Social centre",
		passerelle.PlaceOther:          "Help place",
	},
	"ar": {
		passerelle.PlaceFranceServices: "مكتب فرانس سيرفيس",
		passerelle.PlaceTownHall:       "البلدية",
		passerelle.PlaceLibrary:        "المكتبة",
		passerelle.PlaceCCAS:           "مركز العمل الاجتماعي",
		passerelle.PlaceAssociation:    "جمعية",
		passerelle.PlaceSocialCentre:   "مركز اجتماعي",
		passerelle.PlaceOther:          "مكان للمساعدة",
	},
}

// sayPlace returns a phrase in lang, falling back to English then French.
func sayPlace(lang passerelle.Lang, p placePhrase) string {
	for _, l := range []passerelle.Lang{lang, "en", "fr"} {
		if s, ok := placePhrases[l][p]; ok {
			return s
		}
	}
	return ""
}

func kindWord(lang passerelle.Lang, k passerelle.PlaceKind) string {
	for _, l := range []passerelle.Lang{lang, "en", "fr"} {
		if s, ok := kindWords[l][k]; ok {
			return s
		}
	}
	return string(k)
}
