package logos

import "strings"

// CSS inside an SVG (a <style> element, a style attribute, or a
// presentation attribute such as fill="url(#g)") can make the browser fetch
// other resources, which turns a logo into a tracker: url(), @import,
// image-set() and friends. Rather than rewriting CSS, the checker below
// accepts a piece of CSS only when every function it calls is on a list of
// functions that cannot load anything, every url() points into the same
// document (url(#gradient)), and every at-rule is harmless. Whatever fails
// is removed whole by the caller. Backslashes are refused outright: CSS
// escapes can spell a function name (u\72l) that no simple scan would see.

// cssFunctions are the CSS functions that compute values locally: colours,
// maths, transforms, gradients, filters, easing, basic shapes and the
// functional pseudo-classes of selectors.
var cssFunctions = map[string]bool{
	"rgb": true, "rgba": true, "hsl": true, "hsla": true, "hwb": true, "lab": true, "lch": true,
	"oklab": true, "oklch": true, "color": true, "color-mix": true,
	"var": true, "calc": true, "min": true, "max": true, "clamp": true,
	"translate": true, "translatex": true, "translatey": true, "translatez": true, "translate3d": true,
	"rotate": true, "rotatex": true, "rotatey": true, "rotatez": true, "rotate3d": true,
	"scale": true, "scalex": true, "scaley": true, "scalez": true, "scale3d": true,
	"skew": true, "skewx": true, "skewy": true, "matrix": true, "matrix3d": true, "perspective": true,
	"linear-gradient": true, "radial-gradient": true, "conic-gradient": true,
	"repeating-linear-gradient": true, "repeating-radial-gradient": true, "repeating-conic-gradient": true,
	"blur": true, "brightness": true, "contrast": true, "drop-shadow": true, "grayscale": true,
	"hue-rotate": true, "invert": true, "opacity": true, "saturate": true, "sepia": true,
	"cubic-bezier": true, "steps": true,
	"inset": true, "circle": true, "ellipse": true, "polygon": true, "path": true, "rect": true,
	"not": true, "is": true, "where": true, "has": true, "lang": true, "dir": true,
	"nth-child": true, "nth-last-child": true, "nth-of-type": true, "nth-last-of-type": true,
	"and": true, "or": true,
}

// cssAtRules are the at-rules a logo's stylesheet may use; @import and
// @font-face (which loads fonts) are not among them.
var cssAtRules = map[string]bool{
	"media": true, "supports": true, "keyframes": true, "-webkit-keyframes": true,
}

// cssSafe reports whether a piece of CSS loads nothing. With atRules false
// (attribute values other than style) any at-sign is refused.
func cssSafe(css string, atRules bool) bool {
	if strings.ContainsRune(css, '\\') {
		return false
	}
	s := asciiLower(css)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\'':
			// a string ends at its quote, or (as a "bad string") at a line
			// break, after which the browser reads CSS again
			end := strings.IndexAny(s[i+1:], string(c)+"\n\r\f")
			if end < 0 {
				return true // a string left open runs to the end: nothing after it is CSS
			}
			i += end + 1
		case '/':
			if i+1 < len(s) && s[i+1] == '*' {
				end := strings.Index(s[i+2:], "*/")
				if end < 0 {
					return true // an unterminated comment runs to the end
				}
				i += end + 3
			}
		case '@':
			if !atRules || !cssAtRules[identAfter(s, i+1)] {
				return false
			}
		case '(':
			name := identBefore(s, i)
			switch {
			case name == "":
				// a bare parenthesis: a media condition or nested maths
			case name == "url":
				end, ok := localURL(s, i+1)
				if !ok {
					return false
				}
				i = end
			case !cssFunctions[name]:
				return false
			}
		}
	}
	return true
}

// localURL checks the argument of url( starting at s[start] and returns the
// index of the closing parenthesis. Only same-document references pass.
func localURL(s string, start int) (int, bool) {
	i := skipCSSSpace(s, start)
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		q := s[i]
		end := strings.IndexAny(s[i+1:], string(q)+"\n\r\f")
		if end < 0 || s[i+1+end] != q {
			return 0, false
		}
		target := s[i+1 : i+1+end]
		i = skipCSSSpace(s, i+end+2)
		if !strings.HasPrefix(target, "#") || i >= len(s) || s[i] != ')' {
			return 0, false
		}
		return i, true
	}
	end := strings.IndexByte(s[i:], ')')
	if end < 0 {
		return 0, false
	}
	target := strings.TrimRight(s[i:i+end], " \t\r\n\f")
	if !strings.HasPrefix(target, "#") || strings.ContainsAny(target, "\"'( \t\r\n\f") {
		return 0, false
	}
	return i + end, true
}

func skipCSSSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' || s[i] == '\f') {
		i++
	}
	return i
}

// isCSSIdentByte reports whether c may be part of a CSS identifier. Bytes
// of non-ASCII characters count, so that a look-alike such as "ｕｒｌ" becomes
// an unknown name rather than a shorter known one.
func isCSSIdentByte(c byte) bool {
	return c == '-' || c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || c >= 0x80
}

func identBefore(s string, end int) string {
	start := end
	for start > 0 && isCSSIdentByte(s[start-1]) {
		start--
	}
	return s[start:end]
}

func identAfter(s string, start int) string {
	end := start
	for end < len(s) && isCSSIdentByte(s[end]) {
		end++
	}
	return s[start:end]
}

// asciiLower lowercases ASCII letters only. CSS names are ASCII
// case-insensitive; strings.ToLower would also fold characters such as the
// Kelvin sign into ASCII letters.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
