package logos

import (
	"fmt"
	"strconv"
	"strings"
)

// Codes of the reasons a logo is refused. They are stable: API clients may
// branch on them, and they are the "code" of the per-field validation error.
const (
	CodeEmpty         = "logo_empty"
	CodeTooLarge      = "logo_too_large"
	CodeUnsupported   = "logo_unsupported_type"
	CodeCorrupt       = "logo_corrupt"
	CodeTooManyPixels = "logo_too_many_pixels"
	CodeTrailingData  = "logo_trailing_data"
	CodeInvalidSVG    = "logo_invalid_svg"
	CodeSVGDoctype    = "logo_svg_doctype"
	CodeSVGTooComplex = "logo_svg_too_complex"
)

// Error is a logo refused for a reason its uploader can fix. Message is
// written for that person and says what to upload instead; Err keeps the
// technical cause for the logs and is never shown.
type Error struct {
	// Code is one of the Code* constants.
	Code string
	// Message is the user-facing explanation.
	Message string
	// Err is the underlying cause, if any.
	Err error
}

// Error returns the user-facing message.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the technical cause.
func (e *Error) Unwrap() error { return e.Err }

func refuse(code, message string, cause error) *Error {
	return &Error{Code: code, Message: message, Err: cause}
}

// formatSize writes a byte count for people: megabytes (MiB) without
// needless decimals (10485760 → "10 MB", 1572864 → "1.5 MB"), smaller
// limits in KB or bytes.
func formatSize(n int64) string {
	switch {
	case n >= 1<<20:
		s := strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64)
		return strings.TrimSuffix(s, ".0") + " MB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KB"
	default:
		return strconv.FormatInt(n, 10) + " bytes"
	}
}

func errEmpty() *Error {
	return refuse(CodeEmpty, "The logo file is empty. Upload a PNG, JPEG or SVG image.", nil)
}

func errTooLarge(maxBytes int64) *Error {
	return refuse(CodeTooLarge, "The logo is larger than "+formatSize(maxBytes)+
		". Upload a smaller PNG, JPEG or SVG image.", nil)
}

func errTooLargeAfterProcessing(maxBytes int64) *Error {
	return refuse(CodeTooLarge, "The cleaned-up logo would be larger than "+formatSize(maxBytes)+
		". Upload an image with fewer pixels, or an SVG.", nil)
}

func errUnsupported(cause error) *Error {
	return refuse(CodeUnsupported, "Unsupported file type: upload a PNG, JPEG or SVG image.", cause)
}

func errCorrupt(format string, cause error) *Error {
	return refuse(CodeCorrupt, "The "+format+" file is damaged or incomplete. "+
		"Export the logo again from your graphics program and upload the new file.", cause)
}

func errTooManyPixels(width, height, maxPixels int) *Error {
	return refuse(CodeTooManyPixels, fmt.Sprintf("The image is %d × %d pixels; logos may have at most %s megapixels. "+
		"Scale it down (a few hundred pixels across is plenty) or upload an SVG.",
		width, height, strconv.FormatFloat(float64(maxPixels)/1e6, 'f', -1, 64)), nil)
}

func errTrailingData(format string) *Error {
	return refuse(CodeTrailingData, "The "+format+" file carries extra data after the image. "+
		"Export the logo again as a plain "+format+" file and upload that.", nil)
}

func errInvalidSVG(cause error) *Error {
	return refuse(CodeInvalidSVG, "The SVG file is not well-formed XML in UTF-8. "+
		"Export it again as plain SVG, or upload a PNG instead.", cause)
}

func errSVGDoctype() *Error {
	return refuse(CodeSVGDoctype, "SVG files with DOCTYPE entity declarations are not accepted. "+
		"Export the logo as plain SVG (without DTD), or upload a PNG instead.", nil)
}

func errSVGTooComplex(what string) *Error {
	return refuse(CodeSVGTooComplex, "The SVG is too complex ("+what+"). "+
		"Simplify the drawing or upload a PNG instead.", nil)
}
