package logos_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

// The files below are built in code so that every hostile construction is
// visible in the diff and needs no binary fixtures.

// testImage is a w×h picture with a gradient and, in its lower half,
// partial transparency, so that a round trip has something to lose.
func testImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			a := uint8(255)
			if y >= h/2 {
				a = uint8(128 + x%128)
			}
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(x * 255 / max(w-1, 1)), G: uint8(y * 255 / max(h-1, 1)), B: 90, A: a})
		}
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func cleanPNG(t testing.TB, w, h int) []byte { return encodePNG(t, testImage(w, h)) }

func cleanJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(w, h), &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngChunk builds one chunk with a correct CRC.
func pngChunk(chunkType string, payload []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(len(payload)))
	b.WriteString(chunkType)
	b.Write(payload)
	crc := crc32.NewIEEE()
	crc.Write([]byte(chunkType))
	crc.Write(payload)
	_ = binary.Write(&b, binary.BigEndian, crc.Sum32())
	return b.Bytes()
}

// withChunksBeforeIEND inserts chunks just before the final IEND chunk.
func withChunksBeforeIEND(pngData []byte, chunks ...[]byte) []byte {
	iend := len(pngData) - 12
	out := append([]byte{}, pngData[:iend]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, pngData[iend:]...)
}

const secretGPS = "SECRET-GPS-52.0302N-8.5325E"

// exifTIFF is a minimal big-endian TIFF structure as found in EXIF: IFD0
// with a GPSInfo pointer, a GPS IFD with latitude reference and latitude,
// and a text marker so tests can look for leaked bytes.
func exifTIFF() []byte {
	var b bytes.Buffer
	w := func(v any) { _ = binary.Write(&b, binary.BigEndian, v) }
	b.WriteString("MM")
	w(uint16(42))
	w(uint32(8)) // IFD0 offset
	// IFD0: one entry, GPSInfo → offset 26
	w(uint16(1))
	w(uint16(0x8825))
	w(uint16(4))
	w(uint32(1))
	w(uint32(26))
	w(uint32(0)) // no next IFD
	// GPS IFD at 26: GPSLatitudeRef "N", GPSLatitude → offset 56
	w(uint16(2))
	w(uint16(1))
	w(uint16(2))
	w(uint32(2))
	b.WriteString("N\x00\x00\x00")
	w(uint16(2))
	w(uint16(5))
	w(uint32(3))
	w(uint32(56))
	w(uint32(0))
	for _, r := range [][2]uint32{{52, 1}, {1, 1}, {4815, 100}} {
		w(r[0])
		w(r[1])
	}
	b.WriteString(secretGPS)
	return b.Bytes()
}

// pngWithMetadata carries EXIF (eXIf), a tEXt comment and a private chunk
// holding a ZIP archive.
func pngWithMetadata(t testing.TB) []byte {
	return withChunksBeforeIEND(cleanPNG(t, 24, 16),
		pngChunk("tEXt", []byte("Author\x00SECRET-TEXT Jane Doe, +49 521 000000")),
		pngChunk("eXIf", exifTIFF()),
		pngChunk("prVt", zipArchive(t)),
	)
}

// jpegWithGPS inserts an APP1 EXIF segment with GPS data after SOI.
func jpegWithGPS(t testing.TB) []byte {
	jpg := cleanJPEG(t, 24, 16)
	payload := append([]byte("Exif\x00\x00"), exifTIFF()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// pngBomb is a real 1×1 PNG whose header claims 100000 × 100000 pixels:
// a decoder that trusted it would allocate 40 GB.
func pngBomb(t testing.TB) []byte {
	data := cleanPNG(t, 1, 1)
	// IHDR is the first chunk: length(4) type(4) at offset 8, data at 16
	binary.BigEndian.PutUint32(data[16:], 100000)
	binary.BigEndian.PutUint32(data[20:], 100000)
	binary.BigEndian.PutUint32(data[29:], crc32.ChecksumIEEE(data[12:29]))
	return data
}

// jpegBomb is a small JPEG whose frame header claims 60000 × 60000 pixels.
func jpegBomb(t testing.TB) []byte {
	data := cleanJPEG(t, 8, 8)
	i := bytes.Index(data, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0 in the test JPEG")
	}
	binary.BigEndian.PutUint16(data[i+5:], 60000)
	binary.BigEndian.PutUint16(data[i+7:], 60000)
	return data
}

// zipArchive is a ZIP with an HTML page in it: appended to an image it makes
// a polyglot that archive tools and some browsers open as the archive.
func zipArchive(t testing.TB) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, err := zw.Create("index.html")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write([]byte("<script>alert(document.cookie)</script>"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// jpegMarkers lists the markers of a JPEG up to its first SOS.
func jpegMarkers(t testing.TB, data []byte) []byte {
	t.Helper()
	var markers []byte
	pos := 2
	for pos+4 <= len(data) && data[pos] == 0xFF {
		m := data[pos+1]
		markers = append(markers, m)
		if m == 0xDA {
			break
		}
		pos += 2 + int(binary.BigEndian.Uint16(data[pos+2:]))
	}
	return markers
}

// pngChunkTypes lists the chunk types of a PNG in order.
func pngChunkTypes(t testing.TB, data []byte) []string {
	t.Helper()
	var types []string
	pos := 8
	for pos+12 <= len(data) {
		n := int(binary.BigEndian.Uint32(data[pos:]))
		types = append(types, string(data[pos+4:pos+8]))
		pos += 12 + n
	}
	return types
}

const svgHead = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100">`

// cleanSVG is a logo as drawing programs write it: declaration, comment,
// editor namespaces and metadata, gradient, style sheet, reused symbol,
// text and a local link.
const cleanSVG = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with a drawing program -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
     width="240" height="80" viewBox="0 0 240 80" version="1.1" inkscape:version="1.3">
  <sodipodi:namedview id="nv" pagecolor="#ffffff"/>
  <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description>Jane Doe</rdf:Description></rdf:RDF></metadata>
  <title>Proteome Explorer</title>
  <defs>
    <linearGradient id="g" x1="0" x2="1"><stop offset="0" stop-color="#0b5394"/><stop offset="1" stop-color="#6fa8dc"/></linearGradient>
    <style type="text/css">.word { font-family: "Open Sans", sans-serif; font-weight: 700; fill: url(#g) } @media (max-width: 100px) { .word { display: none } }</style>
    <symbol id="dot"><circle cx="5" cy="5" r="5"/></symbol>
  </defs>
  <g transform="translate(10 10) rotate(5)" inkscape:label="Layer 1">
    <rect width="60" height="60" rx="8" fill="url(#g)" style="stroke:#333;stroke-width:2"/>
    <use xlink:href="#dot" x="20" y="20"/>
    <use href="#dot" x="40" y="20"/>
    <a href="#g"><text x="70" y="40" class="word" xml:space="preserve">Proteome &amp; Co.</text></a>
  </g>
</svg>
`

// elementNames lists the local names of all elements of an XML document.
func elementNames(t testing.TB, data []byte) []string {
	t.Helper()
	var names []string
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok {
			names = append(names, se.Name.Local)
		}
	}
	return names
}

// dangerousElements are elements that must never survive sanitising.
var dangerousElements = map[string]bool{
	"script": true, "foreignObject": true, "animate": true, "set": true, "animateMotion": true,
	"animateTransform": true, "iframe": true, "object": true, "embed": true, "handler": true,
	"listener": true, "body": true, "html": true, "metadata": true,
}

// checkSafeSVG verifies, independently of the sanitiser's own lists, that
// an output document cannot run code or load anything.
func checkSafeSVG(t testing.TB, out []byte) {
	t.Helper()
	if !bytes.HasPrefix(out, []byte(`<svg xmlns="http://www.w3.org/2000/svg"`)) {
		t.Fatalf("output does not open with the SVG root and namespace: %.120q", out)
	}
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = true
	depth := 0
	inStyle := false
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("output is not well-formed XML: %v\n%s", err, out)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			if tok.Name.Space != "http://www.w3.org/2000/svg" {
				t.Fatalf("element %v outside the SVG namespace survived:\n%s", tok.Name, out)
			}
			if dangerousElements[tok.Name.Local] {
				t.Fatalf("element <%s> survived:\n%s", tok.Name.Local, out)
			}
			inStyle = tok.Name.Local == "style"
			for _, a := range tok.Attr {
				name := strings.ToLower(a.Name.Local)
				value := strings.ToLower(a.Value)
				if strings.HasPrefix(name, "on") {
					t.Fatalf("event handler %s survived:\n%s", a.Name.Local, out)
				}
				if name == "href" && !strings.HasPrefix(a.Value, "#") &&
					!strings.HasPrefix(a.Value, "data:image/png;base64,") && !strings.HasPrefix(a.Value, "data:image/jpeg;base64,") {
					t.Fatalf("href %.80q survived:\n%s", a.Value, out)
				}
				checkCSSLoadsNothing(t, value, out)
			}
		case xml.EndElement:
			depth--
			inStyle = false
		case xml.CharData:
			if inStyle {
				checkCSSLoadsNothing(t, strings.ToLower(string(tok)), out)
			}
		case xml.Comment, xml.ProcInst, xml.Directive:
			t.Fatalf("%T survived:\n%s", tok, out)
		}
	}
	if depth != 0 {
		t.Fatalf("unbalanced output:\n%s", out)
	}
}

// checkCSSLoadsNothing is a deliberately simple reading of CSS (strings end
// at their quote or a line break, comments are skipped): no escapes, no
// @import, no image-loading functions, url() only to #fragments.
func checkCSSLoadsNothing(t testing.TB, css string, out []byte) {
	t.Helper()
	if strings.Contains(css, "\\") {
		t.Fatalf("CSS with an escape survived: %.200q\n%s", css, out)
	}
	for i := 0; i < len(css); i++ {
		rest := css[i:]
		switch {
		case rest[0] == '"' || rest[0] == '\'':
			j := strings.IndexAny(rest[1:], rest[:1]+"\n\r\f")
			if j < 0 {
				return
			}
			i += j + 1
		case strings.HasPrefix(rest, "/*"):
			j := strings.Index(rest[2:], "*/")
			if j < 0 {
				return
			}
			i += j + 3
		case strings.HasPrefix(rest, "url("):
			target := strings.TrimLeft(rest[4:], " \t\r\n\f\"'")
			if !strings.HasPrefix(target, "#") {
				t.Fatalf("url() to %.40q survived:\n%s", target, out)
			}
		default:
			for _, bad := range []string{"@import", "image-set(", "expression(", "image(", "src(", "element("} {
				if strings.HasPrefix(rest, bad) {
					t.Fatalf("CSS with %q survived: %.200q\n%s", bad, css, out)
				}
			}
		}
	}
}
