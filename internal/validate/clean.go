package validate

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Clean normalises free text before it is stored: NUL bytes removed, Unicode
// NFC (so "café" typed two ways is one value), and surrounding white space
// trimmed. It does not touch HTML: pages escape on output, so "R&D" stays
// "R&D".
func Clean(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	return strings.TrimSpace(s)
}
