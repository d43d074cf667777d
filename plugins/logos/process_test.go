package logos_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/denbi/service-registry/plugins/logos"
)

func refusalCode(err error) string {
	var refused *logos.Error
	if errors.As(err, &refused) {
		return refused.Code
	}
	return ""
}

func TestHostileFilesAreRefused(t *testing.T) {
	t.Parallel()
	png1 := cleanPNG(t, 20, 10)
	jpg1 := cleanJPEG(t, 20, 10)
	badCRC := append([]byte{}, png1...)
	badCRC[len(badCRC)-20] ^= 0xFF // inside the IDAT data, before IEND

	random := make([]byte, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.UintN(256))
	}
	random[0] = 0 // no accidental signature

	cases := []struct {
		name string
		data []byte
		code string
	}{
		{"empty file", nil, logos.CodeEmpty},
		{"text file (named .png by its uploader)", []byte("This is not an image, just text.\n"), logos.CodeUnsupported},
		{"random bytes", random, logos.CodeUnsupported},
		{"HTML page", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), logos.CodeUnsupported},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), logos.CodeUnsupported},
		{"PNG claiming 100000×100000 pixels", pngBomb(t), logos.CodeTooManyPixels},
		{"JPEG claiming 60000×60000 pixels", jpegBomb(t), logos.CodeTooManyPixels},
		{"PNG followed by a ZIP archive", concat(png1, zipArchive(t)), logos.CodeTrailingData},
		{"JPEG followed by a ZIP archive", concat(jpg1, zipArchive(t)), logos.CodeTrailingData},
		{"PNG followed by one stray byte", concat(png1, []byte{'\n'}), logos.CodeTrailingData},
		{"PNG followed by too much zero padding", concat(png1, make([]byte, 8192)), logos.CodeTrailingData},
		{"truncated PNG", png1[:len(png1)-30], logos.CodeCorrupt},
		{"PNG without IEND", png1[:len(png1)-12], logos.CodeCorrupt},
		{"PNG signature only", png1[:8], logos.CodeCorrupt},
		{"PNG with a bad checksum", badCRC, logos.CodeCorrupt},
		{"truncated JPEG", jpg1[:len(jpg1)/2], logos.CodeCorrupt},
		{"JPEG without EOI", jpg1[:len(jpg1)-2], logos.CodeCorrupt},
		{"JPEG signature only", []byte{0xFF, 0xD8, 0xFF}, logos.CodeCorrupt},
		{"PNG signature then a ZIP", concat(png1[:8], zipArchive(t)), logos.CodeCorrupt},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := logos.Process(tc.data, 0, 0)
			if got := refusalCode(err); got != tc.code {
				t.Fatalf("code %q (err %v), want %q", got, err, tc.code)
			}
			if out.Data != nil {
				t.Fatalf("refused file returned data")
			}
			msg := err.Error()
			if !strings.Contains(msg, "PNG") && !strings.Contains(msg, "JPEG") && !strings.Contains(msg, "SVG") {
				t.Fatalf("message %q does not say what to upload", msg)
			}
		})
	}
}

func TestSizeLimitIsCheckedFirst(t *testing.T) {
	t.Parallel()
	data := cleanPNG(t, 40, 40)
	_, err := logos.Process(data, int64(len(data)-1), 0)
	if refusalCode(err) != logos.CodeTooLarge {
		t.Fatalf("got %v, want too large", err)
	}
	if _, err := logos.Process(data, int64(len(data)), 0); err != nil {
		t.Fatalf("a file of exactly the limit is refused: %v", err)
	}
	_, err = logos.Process(make([]byte, 11<<20), 0, 0)
	if refusalCode(err) != logos.CodeTooLarge || !strings.Contains(err.Error(), "larger than 10 MB") {
		t.Fatalf("default limit: got %v", err)
	}
	_, err = logos.Process(make([]byte, 2<<20), 3<<19, 0)
	if err == nil || !strings.Contains(err.Error(), "larger than 1.5 MB") {
		t.Fatalf("message for a fractional limit: %v", err)
	}
}

// The pixel limit must be enforced from the header, before decoding: a
// decoder that believed the bomb would allocate 40 GB.
func TestDecompressionBombAllocatesNothingLarge(t *testing.T) {
	bomb := pngBomb(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := logos.Process(bomb, 0, 0)
	runtime.ReadMemStats(&after)
	if refusalCode(err) != logos.CodeTooManyPixels {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "100000 × 100000") {
		t.Fatalf("message %q does not name the size", err)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 1<<20 {
		t.Fatalf("refusing the bomb allocated %d bytes", grown)
	}
}

func TestPixelLimitIsConfigurable(t *testing.T) {
	t.Parallel()
	data := cleanPNG(t, 100, 50) // 5000 pixels
	if _, err := logos.Process(data, 0, 5000); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	if _, err := logos.Process(data, 0, 4999); refusalCode(err) != logos.CodeTooManyPixels {
		t.Fatalf("over the limit: %v", err)
	}
}

func TestPNGMetadataIsDropped(t *testing.T) {
	t.Parallel()
	in := pngWithMetadata(t)
	if !bytes.Contains(in, []byte("SECRET-TEXT")) || !bytes.Contains(in, []byte(secretGPS)) {
		t.Fatal("test file lacks its metadata")
	}
	out, err := logos.Process(in, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, leaked := range []string{"SECRET-TEXT", secretGPS, "tEXt", "eXIf", "prVt", "PK\x03\x04", "index.html"} {
		if bytes.Contains(out.Data, []byte(leaked)) {
			t.Errorf("output still contains %q", leaked)
		}
	}
	for _, c := range pngChunkTypes(t, out.Data) {
		if !slices.Contains([]string{"IHDR", "PLTE", "tRNS", "IDAT", "IEND"}, c) {
			t.Errorf("output has chunk %q", c)
		}
	}
	assertSamePixels(t, in, out.Data)
}

func TestJPEGExifAndGPSAreDropped(t *testing.T) {
	t.Parallel()
	in := jpegWithGPS(t)
	if !slices.Contains(jpegMarkers(t, in), 0xE1) {
		t.Fatal("test file lacks its APP1 segment")
	}
	out, err := logos.Process(in, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if out.ContentType != "image/jpeg" || out.Ext != "jpg" {
		t.Fatalf("type %s/%s", out.ContentType, out.Ext)
	}
	for _, m := range jpegMarkers(t, out.Data) {
		if m >= 0xE0 && m <= 0xEF || m == 0xFE {
			t.Errorf("output has APP/COM marker 0x%02X", m)
		}
	}
	for _, leaked := range []string{"Exif", secretGPS} {
		if bytes.Contains(out.Data, []byte(leaked)) {
			t.Errorf("output still contains %q", leaked)
		}
	}
	if out.Width != 24 || out.Height != 16 {
		t.Fatalf("size %d×%d", out.Width, out.Height)
	}
}

func TestZeroPaddingAfterTheImageIsTolerated(t *testing.T) {
	t.Parallel()
	for name, data := range map[string][]byte{
		"PNG":  concat(cleanPNG(t, 8, 8), make([]byte, 512)),
		"JPEG": concat(cleanJPEG(t, 8, 8), make([]byte, 3)),
	} {
		out, err := logos.Process(data, 0, 0)
		if err != nil {
			t.Fatalf("%s with zero padding: %v", name, err)
		}
		if bytes.Equal(out.Data, data) || bytes.HasSuffix(out.Data, []byte{0, 0, 0}) {
			t.Fatalf("%s: padding kept", name)
		}
	}
}

func TestCleanPNGsRoundTripPixelForPixel(t *testing.T) {
	t.Parallel()
	gray := image.NewGray16(image.Rect(0, 0, 17, 9))
	for i := range gray.Pix {
		gray.Pix[i] = byte(i * 7)
	}
	pal := image.NewPaletted(image.Rect(0, 0, 5, 7), color.Palette{color.NRGBA{0, 0, 0, 0}, color.NRGBA{200, 10, 10, 255}, color.NRGBA{10, 10, 200, 128}})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 3)
	}
	for name, img := range map[string]image.Image{
		"RGBA with transparency": testImage(300, 120),
		"16-bit grey":            gray,
		"palette with alpha":     pal,
		"1×1":                    testImage(1, 1),
	} {
		t.Run(name, func(t *testing.T) {
			in := encodePNG(t, img)
			out, err := logos.Process(in, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if out.ContentType != "image/png" || out.Ext != "png" || logos.Sniff(out.Data) != logos.KindPNG {
				t.Fatalf("type %s/%s", out.ContentType, out.Ext)
			}
			b := img.Bounds()
			if out.Width != b.Dx() || out.Height != b.Dy() {
				t.Fatalf("size %d×%d, want %d×%d", out.Width, out.Height, b.Dx(), b.Dy())
			}
			assertSamePixels(t, in, out.Data)
		})
	}
}

func TestCleanJPEGsRoundTripVisually(t *testing.T) {
	t.Parallel()
	grey := image.NewGray(image.Rect(0, 0, 64, 48))
	for i := range grey.Pix {
		grey.Pix[i] = byte(i)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, grey, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string][]byte{
		"colour": cleanJPEG(t, 320, 200),
		"grey":   buf.Bytes(),
	} {
		t.Run(name, func(t *testing.T) {
			out, err := logos.Process(in, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := jpeg.Decode(bytes.NewReader(in))
			b, err := jpeg.Decode(bytes.NewReader(out.Data))
			if err != nil {
				t.Fatalf("output does not decode: %v", err)
			}
			if a.Bounds() != b.Bounds() {
				t.Fatalf("bounds %v, want %v", b.Bounds(), a.Bounds())
			}
			// quality 90 after 95: the mean difference per channel stays
			// far below what anyone would see (255 = black to white)
			var sum, n float64
			for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
				for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
					r1, g1, b1, _ := a.At(x, y).RGBA()
					r2, g2, b2, _ := b.At(x, y).RGBA()
					sum += absDiff(r1, r2) + absDiff(g1, g2) + absDiff(b1, b2)
					n += 3
				}
			}
			if mean := sum / n / 257; mean > 3 {
				t.Fatalf("mean difference %.2f per channel", mean)
			}
		})
	}
}

func absDiff(a, b uint32) float64 {
	if a > b {
		return float64(a - b)
	}
	return float64(b - a)
}

// assertSamePixels decodes two PNGs and compares every pixel.
func assertSamePixels(t testing.TB, a, b []byte) {
	t.Helper()
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("output does not decode: %v", err)
	}
	if ia.Bounds() != ib.Bounds() {
		t.Fatalf("bounds %v, want %v", ib.Bounds(), ia.Bounds())
	}
	for y := ia.Bounds().Min.Y; y < ia.Bounds().Max.Y; y++ {
		for x := ia.Bounds().Min.X; x < ia.Bounds().Max.X; x++ {
			if ca, cb := color.NRGBA64Model.Convert(ia.At(x, y)), color.NRGBA64Model.Convert(ib.At(x, y)); ca != cb {
				t.Fatalf("pixel (%d,%d) %v, want %v", x, y, cb, ca)
			}
		}
	}
}

func TestSniffIgnoresNamesAndLooksAtBytes(t *testing.T) {
	t.Parallel()
	cases := map[string]logos.Kind{
		string(cleanPNG(t, 1, 1)):                                   logos.KindPNG,
		string(cleanJPEG(t, 1, 1)):                                  logos.KindJPEG,
		"<svg xmlns='http://www.w3.org/2000/svg'/>":                 logos.KindSVG,
		"\xEF\xBB\xBF  \n<svg>":                                     logos.KindSVG,
		"<?xml version='1.0'?><svg/>":                               logos.KindSVG,
		"<!-- c --><svg/>":                                          logos.KindSVG,
		"<!DOCTYPE svg PUBLIC '-//W3C//DTD SVG 1.1//EN' 'x'><svg/>": logos.KindSVG,
		"<ns0:svg xmlns:ns0='http://www.w3.org/2000/svg'/>":         logos.KindSVG,
		"<svgfoo/>":             logos.KindUnknown,
		"<html><svg/></html>":   logos.KindUnknown,
		"<!DOCTYPE html>":       logos.KindUnknown,
		"\x89PNG":               logos.KindUnknown, // incomplete signature
		"GIF89a":                logos.KindUnknown,
		"plain text":            logos.KindUnknown,
		"":                      logos.KindUnknown,
		"PK\x03\x04zip archive": logos.KindUnknown,
	}
	for in, want := range cases {
		if got := logos.Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%.30q) = %v, want %v", in, got, want)
		}
	}
}
