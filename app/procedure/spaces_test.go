package procedure

import "testing"

// TestPlainSpaces: invisible and no-break spaces are mended where YAML
// reads structure (indentation, a field name's colon), never in texts.
func TestPlainSpaces(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"no-break space before a colon", "version\u00a0: 3\n", "version: 3\n"},
		{"narrow no-break space before a colon", "id\u202f: demo\n", "id: demo\n"},
		{"no-break space after a colon", "version:\u00a03\n", "version: 3\n"},
		{"zero-width space after a name", "steps\u200b:\n", "steps:\n"},
		{"byte order mark starting a line", "\ufefftitle:\n", "title:\n"},
		{"no-break space in indentation", "\u00a0 fr: Oui\r\n", "  fr: Oui\r\n"},
		{"after a list dash", "  - id\u00a0: a\n", "  - id: a\n"},
		{"text keeps its no-break spaces", "  fr: \"Attention\u00a0: lisez\u202f!\"\n", "  fr: \"Attention\u00a0: lisez\u202f!\"\n"},
		{"plain text keeps them too", "  fr: Oui\u00a0!\n", "  fr: Oui\u00a0!\n"},
		{"a capitalised word in a block text is not a field", "    Attention\u00a0: lisez\n", "    Attention\u00a0: lisez\n"},
		{"no-break space after a list dash", "  -\u00a0id: a\n", "  - id: a\n"},
		{"a dash in a text is not a list", "  fr: a -\u00a0b\n", "  fr: a -\u00a0b\n"},
		{"plain file unchanged", "id: demo\n  - a: b\n", "id: demo\n  - a: b\n"},
		{"no final line end", "id\u00a0: demo", "id: demo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(plainSpaces([]byte(tt.in))); got != tt.want {
				t.Errorf("plainSpaces(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
