package ui

import (
	"fmt"

	"passerelle/app/passerelle"
)

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
	phraseHelpWait                       // the help screen's two choices
	phraseHelpGoOn
	phraseSaveFailed   // the disk refused an answer
	phraseOutOfService // no procedure, no database: ask at the desk
	phraseErase        // keypad
	phraseHome
	phraseBack
	phraseListen
	phraseHelp
	phraseNext
	phraseDone
	phraseYes
	phraseMore
	// phraseTakeYourTime follows the prompt of a step done on another
	// device. It names the green arrow, not "the screen": a touch elsewhere
	// on the screen does nothing, and a person told to touch the screen
	// would wait for something to happen.
	phraseTakeYourTime
	phraseStopQuestion // home, or back on the first step, mid-procedure
	phraseStopYes
	phraseStopNo
	phraseNumberWrong  // a complete number that is not right
	phraseDigitsSilent // after the prompt of a personal number step
	// The keypad of a personal number says where a character went, never
	// the character: "digit 4 of 13". They take the position (and the
	// total), so they are not spoken as they are.
	phraseDigitOf
	phraseDigitAt
	phraseLetterOf
	phraseLetterAt
	// Keys (keys.go): the first key on a screen says how many controls
	// there are, then how to move; controls without a label get a name.
	phraseKeysCount
	phraseKeysHow
	phraseEraseKey
	phrasePreviousPage
	// The hints that say "touch", said with the keys' words once a person
	// has used keys in the session (keyWords).
	phraseChooseProcedureKeys
	phraseChooseHintKeys
	phraseStillThereKeys
	phraseTakeYourTimeKeys
	phraseStopQuestionKeys
	// The volume control of the bar, and the step it says (volume.go).
	phraseVolume
	phraseVolumeOf
	// A personal number's keys, heard by the room: the ring says "key",
	// never which, and invites the person to plug in headphones or to
	// type on the keyboard (privacy.go).
	phraseKeyPrivate
	phraseKeysPrivate
)

// keyWords are the hints that name a gesture, with their version for a
// person using keys: they press, they do not touch.
var keyWords = map[phrase]phrase{
	phraseChooseProcedure: phraseChooseProcedureKeys,
	phraseChooseHint:      phraseChooseHintKeys,
	phraseStillThere:      phraseStillThereKeys,
	phraseTakeYourTime:    phraseTakeYourTimeKeys,
	phraseStopQuestion:    phraseStopQuestionKeys,
}

// formatted are the phrases that take numbers: positionPrompt fills them.
var formatted = map[phrase]bool{phraseVolumeOf: true, phraseDigitOf: true, phraseDigitAt: true, phraseLetterOf: true, phraseLetterAt: true}

// phrases are short FALC sentences, spoken and shown. Languages without an
// entry fall back to English, then French.
var phrases = map[passerelle.Lang]map[phrase]string{
	"fr": {
		phraseTouch:               "Touchez l'écran pour commencer.",
		phraseChooseLanguage:      "Choisissez votre langue.",
		phraseChooseProcedure:     "Que voulez-vous faire ? Touchez une image pour l'écouter. Puis touchez la flèche verte.",
		phraseChooseHint:          "Touchez une réponse pour l'écouter. Puis touchez la flèche verte.",
		phraseNumberIncomplete:    "Le numéro n'est pas complet. Regardez les chiffres encore une fois.",
		phraseStillThere:          "Êtes-vous toujours là ? Touchez le bouton vert.",
		phraseMediatorComing:      "Une personne va venir vous aider. Vous pouvez attendre ici, ou continuer.",
		phraseHelpWait:            "J'attends ici",
		phraseHelpGoOn:            "Je continue",
		phraseSaveFailed:          "Le kiosque a un problème. Appelez une personne pour vous aider, s'il vous plaît.",
		phraseOutOfService:        "Le kiosque ne marche pas pour le moment. Demandez à l'accueil, s'il vous plaît.",
		phraseErase:               "Effacé.",
		phraseHome:                "Accueil",
		phraseBack:                "Retour",
		phraseListen:              "Écouter",
		phraseHelp:                "Aide",
		phraseNext:                "Suivant",
		phraseDone:                "Terminé",
		phraseYes:                 "Oui",
		phraseMore:                "Plus",
		phraseTakeYourTime:        "Prenez votre temps. Quand vous avez fini, revenez ici et touchez la flèche verte.",
		phraseStopQuestion:        "Voulez-vous arrêter ? Ce que vous avez fait sera effacé. Pour arrêter, touchez le rond vert. Pour continuer, touchez le rond rouge.",
		phraseStopYes:             "Oui, arrêter",
		phraseStopNo:              "Non, continuer",
		phraseNumberWrong:         "Ce numéro n'est pas bon. Regardez votre carte ou votre papier. Vérifiez chaque chiffre, un par un.",
		phraseDigitsSilent:        "Le kiosque ne dit pas vos chiffres à voix haute. Il dit seulement leur place.",
		phraseDigitOf:             "Chiffre %d sur %d.",
		phraseDigitAt:             "Chiffre %d.",
		phraseLetterOf:            "Lettre %d sur %d.",
		phraseLetterAt:            "Lettre %d.",
		phraseKeysCount:           "Boutons sur cet écran :",
		phraseKeysHow:             "Appuyez sur les flèches pour passer d'un bouton à l'autre. Appuyez sur Entrée pour choisir.",
		phraseEraseKey:            "Effacer",
		phrasePreviousPage:        "Page d'avant",
		phraseChooseProcedureKeys: "Que voulez-vous faire ? Appuyez sur les flèches pour écouter chaque image. Appuyez sur Entrée pour en choisir une. Puis allez à la flèche verte et appuyez sur Entrée.",
		phraseChooseHintKeys:      "Appuyez sur les flèches pour écouter chaque réponse. Appuyez sur Entrée pour en choisir une. Puis allez à la flèche verte et appuyez sur Entrée.",
		phraseStillThereKeys:      "Êtes-vous toujours là ? Appuyez sur une touche.",
		phraseTakeYourTimeKeys:    "Prenez votre temps. Quand vous avez fini, revenez ici, allez à la flèche verte et appuyez sur Entrée.",
		phraseStopQuestionKeys:    "Voulez-vous arrêter ? Ce que vous avez fait sera effacé. Appuyez sur les flèches pour écouter les deux réponses, puis sur Entrée pour choisir.",
		phraseVolume:              "Volume",
		phraseVolumeOf:            "Volume %d sur %d.",
		phraseKeyPrivate:          "Touche",
		phraseKeysPrivate:         "Ce numéro est personnel : le haut-parleur ne dit pas le nom des touches. Branchez un casque sur le kiosque, ou demandez un casque à l'accueil. Vous pouvez aussi taper les chiffres sur le clavier.",
	},
	"en": {
		phraseTouch:               "Touch the screen to start.",
		phraseChooseLanguage:      "Choose your language.",
		phraseChooseProcedure:     "What do you want to do? Touch a picture to hear it. Then touch the green arrow.",
		phraseChooseHint:          "Touch an answer to hear it. Then touch the green arrow.",
		phraseNumberIncomplete:    "The number is not complete. Look at the digits again.",
		phraseStillThere:          "Are you still there? Touch the green button.",
		phraseMediatorComing:      "A person is coming to help you. You can wait here, or go on.",
		phraseHelpWait:            "I wait here",
		phraseHelpGoOn:            "I go on",
		phraseSaveFailed:          "The kiosk has a problem. Please call a person to help you.",
		phraseOutOfService:        "The kiosk does not work for now. Please ask at the front desk.",
		phraseErase:               "Erased.",
		phraseHome:                "Home",
		phraseBack:                "Back",
		phraseListen:              "Listen",
		phraseHelp:                "Help",
		phraseNext:                "Next",
		phraseDone:                "Done",
		phraseYes:                 "Yes",
		phraseMore:                "More",
		phraseTakeYourTime:        "Take your time. When you are done, come back here and touch the green arrow.",
		phraseStopQuestion:        "Do you want to stop? What you did will be erased. To stop, touch the green circle. To go on, touch the red circle.",
		phraseStopYes:             "Yes, stop",
		phraseStopNo:              "No, go on",
		phraseNumberWrong:         "This number is not right. Look at your card or your paper. Check each digit, one by one.",
		phraseDigitsSilent:        "The kiosk does not say your digits out loud. It only says their place.",
		phraseDigitOf:             "Digit %d of %d.",
		phraseDigitAt:             "Digit %d.",
		phraseLetterOf:            "Letter %d of %d.",
		phraseLetterAt:            "Letter %d.",
		phraseKeysCount:           "Buttons on this screen:",
		phraseKeysHow:             "Press the arrows to go from one button to the next. Press Enter to choose.",
		phraseEraseKey:            "Erase",
		phrasePreviousPage:        "Page before",
		phraseChooseProcedureKeys: "What do you want to do? Press the arrows to hear each picture. Press Enter to choose one. Then go to the green arrow and press Enter.",
		phraseChooseHintKeys:      "Press the arrows to hear each answer. Press Enter to choose one. Then go to the green arrow and press Enter.",
		phraseStillThereKeys:      "Are you still there? Press any key.",
		phraseTakeYourTimeKeys:    "Take your time. When you are done, come back here, go to the green arrow and press Enter.",
		phraseStopQuestionKeys:    "Do you want to stop? What you did will be erased. Press the arrows to hear the two answers, then Enter to choose.",
		phraseVolume:              "Volume",
		phraseVolumeOf:            "Volume %d of %d.",
		phraseKeyPrivate:          "Key",
		phraseKeysPrivate:         "This number is personal: the loudspeaker does not say the keys' names. Plug headphones into the kiosk, or ask for headphones at the front desk. You can also type the digits on the keyboard.",
	},
	"ar": {
		phraseTouch:               "المس الشاشة للبدء.",
		phraseChooseLanguage:      "اختر لغتك.",
		phraseChooseProcedure:     "ماذا تريد أن تفعل؟ المس صورة لتسمعها. ثم المس السهم الأخضر.",
		phraseChooseHint:          "المس جوابًا لتسمعه. ثم المس السهم الأخضر.",
		phraseNumberIncomplete:    "الرقم غير كامل. انظر إلى الأرقام مرة أخرى.",
		phraseStillThere:          "هل ما زلت هنا؟ المس الزر الأخضر.",
		phraseMediatorComing:      "سيأتي شخص لمساعدتك. يمكنك الانتظار هنا، أو المتابعة.",
		phraseHelpWait:            "أنتظر هنا",
		phraseHelpGoOn:            "أتابع",
		phraseSaveFailed:          "في الجهاز مشكلة. من فضلك اطلب شخصًا لمساعدتك.",
		phraseOutOfService:        "الجهاز لا يعمل الآن. من فضلك اسأل في الاستقبال.",
		phraseErase:               "تم المسح.",
		phraseHome:                "البداية",
		phraseBack:                "رجوع",
		phraseListen:              "استمع",
		phraseHelp:                "مساعدة",
		phraseNext:                "التالي",
		phraseDone:                "انتهى",
		phraseYes:                 "نعم",
		phraseMore:                "المزيد",
		phraseTakeYourTime:        "خذ وقتك. عندما تنتهي، عد إلى هنا والمس السهم الأخضر.",
		phraseStopQuestion:        "هل تريد التوقف؟ سيُمسح ما فعلته. للتوقف، المس الدائرة الخضراء. للمتابعة، المس الدائرة الحمراء.",
		phraseStopYes:             "نعم، توقف",
		phraseStopNo:              "لا، تابع",
		phraseNumberWrong:         "هذا الرقم غير صحيح. انظر إلى بطاقتك أو ورقتك. تحقق من كل رقم، واحدًا بعد واحد.",
		phraseDigitsSilent:        "لا ينطق الجهاز أرقامك بصوت عالٍ. يقول فقط مكانها.",
		phraseDigitOf:             "الرقم %d من %d.",
		phraseDigitAt:             "الرقم %d.",
		phraseLetterOf:            "الحرف %d من %d.",
		phraseLetterAt:            "الحرف %d.",
		phraseKeysCount:           "عدد الأزرار في هذه الشاشة:",
		phraseKeysHow:             "اضغط على الأسهم للانتقال من زر إلى آخر. اضغط على زر الإدخال للاختيار.",
		phraseEraseKey:            "مسح",
		phrasePreviousPage:        "الصفحة السابقة",
		phraseChooseProcedureKeys: "ماذا تريد أن تفعل؟ اضغط على الأسهم لتسمع كل صورة. اضغط على زر الإدخال لتختار واحدة. ثم انتقل إلى السهم الأخضر واضغط على زر الإدخال.",
		phraseChooseHintKeys:      "اضغط على الأسهم لتسمع كل جواب. اضغط على زر الإدخال لتختار واحدًا. ثم انتقل إلى السهم الأخضر واضغط على زر الإدخال.",
		phraseStillThereKeys:      "هل ما زلت هنا؟ اضغط على أي زر.",
		phraseTakeYourTimeKeys:    "خذ وقتك. عندما تنتهي، عد إلى هنا، وانتقل إلى السهم الأخضر واضغط على زر الإدخال.",
		phraseStopQuestionKeys:    "هل تريد التوقف؟ سيُمسح ما فعلته. اضغط على الأسهم لتسمع الجوابين، ثم على زر الإدخال للاختيار.",
		phraseVolume:              "مستوى الصوت",
		phraseVolumeOf:            "مستوى الصوت %d من %d.",
		phraseKeyPrivate:          "زر",
		phraseKeysPrivate:         "هذا الرقم شخصي: مكبر الصوت لا يقول أسماء الأزرار. صِل سماعات بالجهاز، أو اطلب سماعات في الاستقبال. يمكنك أيضًا كتابة الأرقام على لوحة المفاتيح.",
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

// hint is a phrase that names a gesture, in the words of the person's
// way of working: once they used keys in the session (and do not scan
// with a switch, where any key acts), "press", not "touch".
func (k *Kiosk) hint(lang passerelle.Lang, p phrase) passerelle.Prompt {
	if keys, ok := keyWords[p]; ok && k.keysUsed && !k.Scanning {
		p = keys
	}
	return prompt(lang, p)
}

// positionPrompt says where a typed character of a personal number went,
// never the character: "digit 4 of 13", or "digit 4" when the length may
// vary.
func positionPrompt(lang passerelle.Lang, letter bool, n int, rule *passerelle.NumberRule) passerelle.Prompt {
	of, at := phraseDigitOf, phraseDigitAt
	if letter {
		of, at = phraseLetterOf, phraseLetterAt
	}
	if rule.Min == rule.Max {
		return passerelle.Prompt{Text: fmt.Sprintf(say(lang, of), n, rule.Max), Lang: lang}
	}
	return passerelle.Prompt{Text: fmt.Sprintf(say(lang, at), n), Lang: lang}
}
