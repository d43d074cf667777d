package logos

import (
	"bytes"
	"fmt"
)

// DefaultMaxBytes is the largest accepted upload: 10 MiB.
const DefaultMaxBytes int64 = 10 << 20

// DefaultMaxPixels bounds width × height of a raster logo (and the sum over
// the images embedded in an SVG): 40 megapixels. Decoding needs 4 bytes per
// pixel (8 for 16-bit images), so this also bounds the memory one upload
// may take.
const DefaultMaxPixels = 40_000_000

// Kind is a file type as told by its first bytes.
type Kind int

// The kinds Sniff tells apart.
const (
	KindUnknown Kind = iota
	KindPNG
	KindJPEG
	KindSVG
)

// String returns the kind's usual name.
func (k Kind) String() string {
	switch k {
	case KindPNG:
		return "PNG"
	case KindJPEG:
		return "JPEG"
	case KindSVG:
		return "SVG"
	default:
		return "unknown"
	}
}

var (
	pngSignature  = []byte("\x89PNG\r\n\x1a\n")
	jpegSignature = []byte{0xFF, 0xD8, 0xFF}
	utf8BOM       = []byte{0xEF, 0xBB, 0xBF}
)

// Sniff tells the type of a file from its content alone; names and declared
// MIME types are never consulted. PNG and JPEG are recognised by their
// signatures. A text that opens (after an optional byte order mark and
// white space) with an XML declaration, a comment, a DOCTYPE or an element
// named svg, with or without prefix, is a candidate SVG: only parsing tells
// whether its root really is <svg>.
func Sniff(data []byte) Kind {
	switch {
	case bytes.HasPrefix(data, pngSignature):
		return KindPNG
	case bytes.HasPrefix(data, jpegSignature):
		return KindJPEG
	}
	head := data
	if len(head) > 512 {
		head = head[:512]
	}
	head = bytes.TrimPrefix(head, utf8BOM)
	head = bytes.TrimLeft(head, " \t\r\n")
	for _, opening := range []string{"<?xml", "<!--", "<!DOCTYPE svg", "<svg"} {
		if hasPrefixFold(head, opening) && (opening != "<svg" || len(head) == 4 || isNameEnd(head[4])) {
			return KindSVG
		}
	}
	// a prefixed root such as <ns0:svg>, as some XML libraries write it
	if len(head) > 1 && head[0] == '<' {
		i := 1
		for i < len(head) && isNameByte(head[i]) {
			i++
		}
		if i > 1 && i < len(head) && head[i] == ':' && hasPrefixFold(head[i+1:], "svg") {
			rest := head[i+4:]
			if len(rest) == 0 || isNameEnd(rest[0]) {
				return KindSVG
			}
		}
	}
	return KindUnknown
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || c == '.' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

func isNameEnd(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' || c == '/'
}

// Processed is a logo that is safe to store and serve.
type Processed struct {
	// Data is the re-encoded (PNG, JPEG) or re-serialised (SVG) file; none
	// of the uploaded bytes are kept as they were.
	Data []byte
	// ContentType is the MIME type of Data: image/png, image/jpeg or image/svg+xml.
	ContentType string
	// Ext is the file name extension without dot: png, jpg or svg.
	Ext string
	// Width and Height are the pixel size of a raster image (0 for SVG).
	Width, Height int
}

// Process checks an uploaded logo and returns a clean copy of it, or an
// *Error that tells the uploader what to change. maxBytes bounds the upload
// and the result, maxPixels the decoded size of raster images; zero or less
// selects DefaultMaxBytes and DefaultMaxPixels.
//
// PNG and JPEG files are decoded and encoded anew, which drops every
// metadata chunk and segment (EXIF, GPS, text, ICC profiles) and anything
// appended to the image. SVG files are parsed and written anew with only
// the elements and attributes that draw; see SanitizeSVG.
func Process(data []byte, maxBytes int64, maxPixels int) (Processed, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if len(data) == 0 {
		return Processed{}, errEmpty()
	}
	if int64(len(data)) > maxBytes {
		return Processed{}, errTooLarge(maxBytes)
	}

	var out Processed
	var err error
	switch kind := Sniff(data); kind {
	case KindPNG:
		out, err = processPNG(data, maxPixels)
	case KindJPEG:
		out, err = processJPEG(data, maxPixels)
	case KindSVG:
		var svg []byte
		svg, err = sanitizeSVG(data, maxPixels)
		out = Processed{Data: svg, ContentType: "image/svg+xml", Ext: "svg"}
	default:
		err = errUnsupported(fmt.Errorf("no PNG, JPEG or SVG signature in the first bytes"))
	}
	if err != nil {
		return Processed{}, err
	}
	if int64(len(out.Data)) > maxBytes {
		return Processed{}, errTooLargeAfterProcessing(maxBytes)
	}
	return out, nil
}
