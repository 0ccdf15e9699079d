package ui

import "passerelle/app/passerelle"

// phrase names a sentence the kiosk itself says or shows.
type phrase int

const (
	phraseTouch            phrase = iota // welcome screen
	phraseChooseLanguage                 // language screen
	phraseChooseProcedure                // procedure grid
	phraseChooseHint                     // after the prompt of a choice step
	phraseNumberIncomplete               // a number step's "continue" pressed too early
	phraseStillThere                     // inactivity
	phraseMediatorComing                 // help
	phraseSaveFailed                     // the disk refused an answer
	phraseOutOfService                   // no procedure, no database: ask at the desk
	phraseErase                          // keypad
	phraseHome
	phraseBack
	phraseListen
	phraseHelp
	phraseNext
	phraseDone
	phraseYes
	phraseMore
)

// phrases are short FALC sentences, spoken and shown. Languages without an
// entry fall back to English, then French.
var phrases = map[passerelle.Lang]map[phrase]string{
	"fr": {
		phraseTouch:            "Touchez l'écran pour commencer.",
		phraseChooseLanguage:   "Choisissez votre langue.",
		phraseChooseProcedure:  "Que voulez-vous faire ? Touchez une image pour l'écouter. Puis touchez la flèche verte.",
		phraseChooseHint:       "Touchez une réponse pour l'écouter. Puis touchez la flèche verte.",
		phraseNumberIncomplete: "Le numéro n'est pas complet. Regardez les chiffres encore une fois.",
		phraseStillThere:       "Êtes-vous toujours là ? Touchez le bouton vert.",
		phraseMediatorComing:   "Une personne va venir vous aider. Restez ici, s'il vous plaît.",
		phraseSaveFailed:       "Le kiosque a un problème. Appelez une personne pour vous aider, s'il vous plaît.",
		phraseOutOfService:     "Le kiosque ne marche pas pour le moment. Demandez à l'accueil, s'il vous plaît.",
		phraseErase:            "Effacé.",
		phraseHome:             "Accueil",
		phraseBack:             "Retour",
		phraseListen:           "Écouter",
		phraseHelp:             "Aide",
		phraseNext:             "Suivant",
		phraseDone:             "Terminé",
		phraseYes:              "Oui",
		phraseMore:             "Plus",
	},
	"en": {
		phraseTouch:            "Touch the screen to start.",
		phraseChooseLanguage:   "Choose your language.",
		phraseChooseProcedure:  "What do you want to do? Touch a picture to hear it. Then touch the green arrow.",
		phraseChooseHint:       "Touch an answer to hear it. Then touch the green arrow.",
		phraseNumberIncomplete: "The number is not complete. Look at the digits again.",
		phraseStillThere:       "Are you still there? Touch the green button.",
		phraseMediatorComing:   "A person is coming to help you. Please stay here.",
		phraseSaveFailed:       "The kiosk has a problem. Please call a person to help you.",
		phraseOutOfService:     "The kiosk does not work for now. Please ask at the front desk.",
		phraseErase:            "Erased.",
		phraseHome:             "Home",
		phraseBack:             "Back",
		phraseListen:           "Listen",
		phraseHelp:             "Help",
		phraseNext:             "Next",
		phraseDone:             "Done",
		phraseYes:              "Yes",
		phraseMore:             "More",
	},
	"ar": {
		phraseTouch:            "المس الشاشة للبدء.",
		phraseChooseLanguage:   "اختر لغتك.",
		phraseChooseProcedure:  "ماذا تريد أن تفعل؟ المس صورة لتسمعها. ثم المس السهم الأخضر.",
		phraseChooseHint:       "المس جوابًا لتسمعه. ثم المس السهم الأخضر.",
		phraseNumberIncomplete: "الرقم غير كامل. انظر إلى الأرقام مرة أخرى.",
		phraseStillThere:       "هل ما زلت هنا؟ المس الزر الأخضر.",
		phraseMediatorComing:   "سيأتي شخص لمساعدتك. ابقَ هنا من فضلك.",
		phraseSaveFailed:       "في الجهاز مشكلة. من فضلك اطلب شخصًا لمساعدتك.",
		phraseOutOfService:     "الجهاز لا يعمل الآن. من فضلك اسأل في الاستقبال.",
		phraseErase:            "تم المسح.",
		phraseHome:             "البداية",
		phraseBack:             "رجوع",
		phraseListen:           "استمع",
		phraseHelp:             "مساعدة",
		phraseNext:             "التالي",
		phraseDone:             "انتهى",
		phraseYes:              "نعم",
		phraseMore:             "المزيد",
	},
}

// say returns a phrase in lang, falling back to English then French.
func say(lang passerelle.Lang, p phrase) string {
	for _, l := range []passerelle.Lang{lang, "en", "fr"} {
		if s, ok := phrases[l][p]; ok {
			return s
		}
	}
	return ""
}

// prompt is a phrase as something to speak.
func prompt(lang passerelle.Lang, p phrase) passerelle.Prompt {
	return passerelle.Prompt{Text: say(lang, p), Lang: lang}
}
