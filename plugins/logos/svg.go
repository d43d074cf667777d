package logos

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Namespaces an SVG logo may use.
const (
	svgNamespace   = "http://www.w3.org/2000/svg"
	xlinkNamespace = "http://www.w3.org/1999/xlink"
	xmlNamespace   = "http://www.w3.org/XML/1998/namespace"
)

// Bounds on SVG structure. Logos from drawing programs stay far below them;
// documents beyond them are refused before they cost much time or memory.
const (
	maxSVGDepth      = 100
	maxSVGElements   = 50_000
	maxSVGAttributes = 256
)

// svgElements are the SVG elements kept, all of which only draw. Anything
// else is dropped with its content: script, foreignObject (which embeds
// HTML), the animation elements (animate, set, ... can rewrite an href to
// javascript: after sanitising), metadata (author and editor data), fonts,
// cursors, and every element outside the SVG namespace.
var svgElements = map[string]bool{
	"a": true, "circle": true, "clipPath": true, "defs": true, "desc": true, "ellipse": true,
	"feBlend": true, "feColorMatrix": true, "feComponentTransfer": true, "feComposite": true,
	"feConvolveMatrix": true, "feDiffuseLighting": true, "feDisplacementMap": true,
	"feDistantLight": true, "feDropShadow": true, "feFlood": true, "feFuncA": true, "feFuncB": true,
	"feFuncG": true, "feFuncR": true, "feGaussianBlur": true, "feImage": true, "feMerge": true,
	"feMergeNode": true, "feMorphology": true, "feOffset": true, "fePointLight": true,
	"feSpecularLighting": true, "feSpotLight": true, "feTile": true, "feTurbulence": true,
	"filter": true, "g": true, "image": true, "line": true, "linearGradient": true, "marker": true,
	"mask": true, "path": true, "pattern": true, "polygon": true, "polyline": true,
	"radialGradient": true, "rect": true, "stop": true, "style": true, "svg": true, "switch": true,
	"symbol": true, "text": true, "textPath": true, "title": true, "tspan": true, "use": true,
	"view": true,
}

// SanitizeSVG parses an SVG document and writes it anew with only what
// draws. maxPixels bounds the images embedded as data: URLs (zero or less
// selects DefaultMaxPixels).
//
// Parsing: encoding/xml in strict mode, UTF-8 only, no DTD processing. A
// DOCTYPE that only names an external DTD (as older editors write) is
// dropped unread; one with an internal subset (entity declarations: XXE,
// billion laughs) refuses the file. The root element must be <svg>.
//
// Removed: every element that does not draw (script, foreignObject,
// animations, metadata, anything outside the SVG namespace; docs/logos.md
// has the list of what stays), with its content; event
// handler attributes (on*); attributes of foreign namespaces; href and
// xlink:href unless they point into the document (#id) or, on <image> and
// <feImage>, hold a PNG or JPEG data: URL (which is re-encoded like an
// upload); style elements and attributes, and any attribute, whose CSS could
// load something (url() to anything but #id, @import, image-set(), CSS
// escapes); comments, processing instructions and the XML declaration.
func SanitizeSVG(data []byte, maxPixels int) ([]byte, error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	return sanitizeSVG(data, maxPixels)
}

// svgSanitizer holds the state of one sanitising pass.
type svgSanitizer struct {
	body       bytes.Buffer // everything after the root start tag
	openTag    string       // element whose start tag still lacks its ">"
	usesXlink  bool
	pixelsLeft int
}

// styleElement collects a <style> element until its end, when its CSS is
// checked as a whole.
type styleElement struct {
	attrs []xml.Attr
	css   strings.Builder
}

func sanitizeSVG(data []byte, maxPixels int) ([]byte, error) {
	s := &svgSanitizer{pixelsLeft: maxPixels}
	// encoding/xml does not skip a byte order mark itself
	dec := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, utf8BOM)))
	dec.Strict = true
	// No CharsetReader: a declared encoding other than UTF-8 is an error,
	// and no Entity map: only the five predefined entities exist.

	var (
		depth, elements int
		skipFrom        int // depth of the dropped element being skipped, 0 if none
		rootSeen        bool
		rootClosed      bool
		rootAttrs       []xml.Attr
		style           *styleElement
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errInvalidSVG(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if rootClosed {
				return nil, errInvalidSVG(errors.New("element after the root element"))
			}
			depth++
			elements++
			switch {
			case depth > maxSVGDepth:
				return nil, errSVGTooComplex("elements nested more than " + strconv.Itoa(maxSVGDepth) + " deep")
			case elements > maxSVGElements:
				return nil, errSVGTooComplex("more than " + strconv.Itoa(maxSVGElements) + " elements")
			case len(t.Attr) > maxSVGAttributes:
				return nil, errSVGTooComplex("an element with more than " + strconv.Itoa(maxSVGAttributes) + " attributes")
			}
			if !rootSeen {
				if !inSVGNamespace(t.Name) || t.Name.Local != "svg" {
					return nil, errUnsupported(fmt.Errorf("root element is <%s> in namespace %q", t.Name.Local, t.Name.Space))
				}
				rootSeen = true
				rootAttrs = s.attributes("svg", t.Attr)
				continue
			}
			if skipFrom > 0 {
				continue
			}
			if style != nil || !inSVGNamespace(t.Name) || !svgElements[t.Name.Local] {
				skipFrom = depth
				continue
			}
			if t.Name.Local == "style" {
				style = &styleElement{attrs: s.attributes("style", t.Attr)}
				continue
			}
			s.startTag(t.Name.Local, s.attributes(t.Name.Local, t.Attr))

		case xml.EndElement:
			if skipFrom > 0 {
				if depth == skipFrom {
					skipFrom = 0
				}
				depth--
				continue
			}
			depth--
			switch {
			case depth == 0:
				rootClosed = true
			case style != nil:
				if cssSafe(style.css.String(), true) {
					s.startTag("style", style.attrs)
					s.text(style.css.String())
					s.endTag("style")
				}
				style = nil
			default:
				s.endTag(t.Name.Local)
			}

		case xml.CharData:
			switch {
			case !rootSeen || rootClosed:
				if len(bytes.TrimLeft(t, " \t\r\n")) > 0 {
					return nil, errInvalidSVG(errors.New("text outside the root element"))
				}
			case skipFrom > 0:
			case style != nil:
				style.css.Write(t)
			default:
				s.text(string(t))
			}

		case xml.Directive:
			if rootSeen || !externalDoctypeOnly(t) {
				return nil, errSVGDoctype()
			}

		case xml.Comment, xml.ProcInst:
			// dropped; the decoder has already refused non-UTF-8 encodings
		}
	}
	if !rootSeen {
		return nil, errUnsupported(errors.New("no root element"))
	}
	if !rootClosed {
		return nil, errInvalidSVG(errors.New("root element not closed"))
	}
	s.closeOpenTag(false)

	var out bytes.Buffer
	out.Grow(s.body.Len() + 256)
	// The SVG namespace comes first: PocketBase's type check (and browsers'
	// sniffers) look for it in the first attributes of the root.
	out.WriteString(`<svg xmlns="` + svgNamespace + `"`)
	if s.usesXlink {
		out.WriteString(` xmlns:xlink="` + xlinkNamespace + `"`)
	}
	writeAttributes(&out, rootAttrs)
	if s.body.Len() == 0 {
		out.WriteString("/>")
	} else {
		out.WriteByte('>')
		out.Write(s.body.Bytes())
		out.WriteString("</svg>")
	}
	return out.Bytes(), nil
}

// inSVGNamespace accepts the SVG namespace and no namespace at all: an
// <svg> without xmlns is still meant as SVG, and the output declares the
// namespace for it.
func inSVGNamespace(name xml.Name) bool {
	return name.Space == svgNamespace || name.Space == ""
}

// externalDoctypeOnly reports whether a directive is a DOCTYPE without an
// internal subset, such as <!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
// "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">. The named DTD is
// never read; entities it might define stay undefined, and using one makes
// the document invalid.
func externalDoctypeOnly(d xml.Directive) bool {
	return bytes.HasPrefix(d, []byte("DOCTYPE")) && !bytes.ContainsAny(d, "[<")
}

// attributes returns the attributes of an element that are kept, with their
// values made safe, in input order and without duplicates.
func (s *svgSanitizer) attributes(element string, attrs []xml.Attr) []xml.Attr {
	kept := make([]xml.Attr, 0, len(attrs))
	seen := make(map[string]bool, len(attrs))
	for _, a := range attrs {
		var name string
		switch {
		case a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns"):
			continue // the output declares its own namespaces
		case a.Name.Space == "":
			name = a.Name.Local
		case a.Name.Space == xlinkNamespace && a.Name.Local == "href":
			name = "xlink:href"
		case a.Name.Space == xmlNamespace && (a.Name.Local == "space" || a.Name.Local == "lang"):
			name = "xml:" + a.Name.Local
		default:
			continue // editor data (inkscape:, sodipodi:, ...), xml:base, xlink:title, ...
		}
		if seen[name] {
			continue
		}
		value, ok := s.attributeValue(element, name, a.Value)
		if !ok {
			continue
		}
		seen[name] = true
		if name == "xlink:href" {
			s.usesXlink = true
		}
		kept = append(kept, xml.Attr{Name: xml.Name{Local: name}, Value: value})
	}
	return kept
}

// attributeValue decides whether an attribute stays and with which value.
func (s *svgSanitizer) attributeValue(element, name, value string) (string, bool) {
	lower := asciiLower(name)
	switch {
	case strings.HasPrefix(lower, "on"):
		return "", false // event handlers
	case lower == "src" || lower == "action" || lower == "formaction":
		return "", false
	case name == "href" || name == "xlink:href":
		return s.href(element, value)
	case lower == "style":
		return value, cssSafe(value, true)
	case strings.ContainsAny(value, "(\\@"):
		// presentation attributes are CSS values: fill="url(https://...)"
		// loads as surely as a style rule does
		return value, cssSafe(value, false)
	}
	return value, true
}

// href keeps links into the document and, on images, PNG or JPEG data
// URLs after re-encoding them. Everything else (javascript:, http(s):,
// relative paths, other data: types) is dropped.
func (s *svgSanitizer) href(element, value string) (string, bool) {
	// browsers ignore leading and trailing spaces and control characters in URLs
	v := strings.TrimFunc(value, func(r rune) bool { return r <= ' ' })
	if strings.HasPrefix(v, "#") {
		return v, true
	}
	if element != "image" && element != "feImage" {
		return "", false
	}
	return s.dataImage(v)
}

// dataImage re-encodes a base64 PNG or JPEG data: URL. The pixels of all
// images in one SVG share the pixel budget of a single upload.
func (s *svgSanitizer) dataImage(v string) (string, bool) {
	if !hasPrefixFold([]byte(v), "data:") {
		return "", false
	}
	comma := strings.IndexByte(v, ',')
	if comma < 0 {
		return "", false
	}
	params := strings.Split(asciiLower(v[len("data:"):comma]), ";")
	mediaType := strings.TrimSpace(params[0])
	if params[len(params)-1] != "base64" ||
		(mediaType != "image/png" && mediaType != "image/jpeg" && mediaType != "image/jpg") {
		return "", false
	}
	payload := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\f' {
			return -1
		}
		return r
	}, v[comma+1:])
	raw, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(payload); err != nil {
			return "", false
		}
	}
	if s.pixelsLeft <= 0 || len(raw) == 0 {
		return "", false
	}
	var img Processed
	switch Sniff(raw) {
	case KindPNG:
		img, err = processPNG(raw, s.pixelsLeft)
	case KindJPEG:
		img, err = processJPEG(raw, s.pixelsLeft)
	default:
		return "", false
	}
	if err != nil {
		return "", false
	}
	s.pixelsLeft -= img.Width * img.Height
	return "data:" + img.ContentType + ";base64," + base64.StdEncoding.EncodeToString(img.Data), true
}

// startTag writes "<name attrs" and leaves the tag open, so that an element
// without content can still be closed as "/>".
func (s *svgSanitizer) startTag(name string, attrs []xml.Attr) {
	s.closeOpenTag(false)
	s.body.WriteByte('<')
	s.body.WriteString(name)
	writeAttributes(&s.body, attrs)
	s.openTag = name
}

func (s *svgSanitizer) endTag(name string) {
	if s.openTag == name {
		s.closeOpenTag(true)
		return
	}
	s.closeOpenTag(false)
	s.body.WriteString("</" + name + ">")
}

func (s *svgSanitizer) closeOpenTag(empty bool) {
	if s.openTag == "" {
		return
	}
	if empty {
		s.body.WriteString("/>")
	} else {
		s.body.WriteByte('>')
	}
	s.openTag = ""
}

func (s *svgSanitizer) text(t string) {
	if t == "" {
		return
	}
	s.closeOpenTag(false)
	escapeXML(&s.body, t, false)
}

func writeAttributes(w *bytes.Buffer, attrs []xml.Attr) {
	for _, a := range attrs {
		w.WriteByte(' ')
		w.WriteString(a.Name.Local)
		w.WriteString(`="`)
		escapeXML(w, a.Value, true)
		w.WriteByte('"')
	}
}

// escapeXML writes text or an attribute value so that an XML parser reads
// back exactly t. Characters XML cannot carry become U+FFFD.
func escapeXML(w *bytes.Buffer, t string, attribute bool) {
	for i := 0; i < len(t); {
		r, size := utf8.DecodeRuneInString(t[i:])
		i += size
		switch {
		case r == '&':
			w.WriteString("&amp;")
		case r == '<':
			w.WriteString("&lt;")
		case r == '>':
			w.WriteString("&gt;")
		case r == '"' && attribute:
			w.WriteString("&quot;")
		case r == '\r':
			w.WriteString("&#xD;")
		case (r == '\n' || r == '\t') && attribute:
			// raw line breaks and tabs in attributes would be read back as spaces
			w.WriteString("&#x" + strconv.FormatInt(int64(r), 16) + ";")
		case r == utf8.RuneError && size == 1, !isXMLChar(r):
			w.WriteRune('\uFFFD')
		default:
			w.WriteRune(r)
		}
	}
}

// isXMLChar reports whether r may appear in an XML 1.0 document.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}
