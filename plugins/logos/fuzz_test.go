package logos_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/denbi/service-registry/plugins/logos"
)

// Limits small enough that the fuzzer spends its time on structure, not on
// encoding large images.
const (
	fuzzMaxBytes  = 1 << 20
	fuzzMaxPixels = 64 * 64
)

// FuzzSanitizeSVG: whatever the input, the sanitiser does not panic, and
// what it returns is well-formed SVG that runs nothing and loads nothing
// (checked by an independent reading) and that comes out unchanged when
// cleaned again.
func FuzzSanitizeSVG(f *testing.F) {
	f.Add([]byte(cleanSVG))
	f.Add([]byte(svgHead + `<script>alert(1)</script><rect onload="x" fill="url(#g)"/></svg>`))
	f.Add([]byte(svgHead + `<style>@import "x"; a{fill:url(https://t/x)} b{content:"/*"}</style><rect style="fill:u\72l(x)"/></svg>`))
	f.Add([]byte(svgHead + `<a xlink:href="javascript:alert(1)"><set attributeName="href" to="javascript:x"/></a><foreignObject><p/></foreignObject></svg>`))
	f.Add([]byte(`<!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>`))
	f.Add([]byte(`<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg/>`))
	f.Add([]byte(`<ns0:svg xmlns:ns0="http://www.w3.org/2000/svg"><ns0:image href="data:image/png;base64,` +
		base64.StdEncoding.EncodeToString(cleanPNG(f, 2, 2)) + `"/></ns0:svg>`))
	f.Add([]byte("<svg><text>\r\n\t&lt;&amp;&#xD;</text><g id='a\tb' x=\"1\n2\"/></svg>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := logos.SanitizeSVG(data, fuzzMaxPixels)
		if err != nil {
			var refused *logos.Error
			if !errors.As(err, &refused) {
				t.Fatalf("error is not a refusal: %v", err)
			}
			return
		}
		checkSafeSVG(t, out)
		if bytes.Contains(out, []byte("data:image/jpeg")) {
			return // JPEG re-encoding is lossy, so a second pass may differ
		}
		again, err := logos.SanitizeSVG(out, fuzzMaxPixels)
		if err != nil {
			t.Fatalf("cleaned output refused on a second pass: %v\n%s", err, out)
		}
		if !bytes.Equal(out, again) {
			t.Fatalf("second pass changed the output:\n%s\n%s", out, again)
		}
	})
}

// FuzzSniff: sniffing and processing arbitrary bytes never panic; accepted
// files keep their sniffed type, and raster output decodes at the size
// reported and within the pixel limit.
func FuzzSniff(f *testing.F) {
	f.Add(cleanPNG(f, 3, 2))
	f.Add(cleanJPEG(f, 3, 2))
	f.Add(pngWithMetadata(f))
	f.Add(jpegWithGPS(f))
	f.Add(pngBomb(f))
	f.Add(jpegBomb(f))
	f.Add(concat(cleanPNG(f, 2, 2), zipArchive(f)))
	f.Add([]byte("plain text named logo.png"))
	f.Add([]byte("<svg/>"))
	f.Add([]byte("\xEF\xBB\xBF <?xml version='1.0'?><svg/>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		kind := logos.Sniff(data)
		out, err := logos.Process(data, fuzzMaxBytes, fuzzMaxPixels)
		if err != nil {
			var refused *logos.Error
			if !errors.As(err, &refused) {
				t.Fatalf("error is not a refusal: %v", err)
			}
			return
		}
		if kind == logos.KindUnknown {
			t.Fatalf("accepted a file of unknown type as %s", out.ContentType)
		}
		if got := logos.Sniff(out.Data); got != kind {
			t.Fatalf("input sniffed as %v, output as %v", kind, got)
		}
		switch kind {
		case logos.KindPNG, logos.KindJPEG:
			decode := png.DecodeConfig
			if kind == logos.KindJPEG {
				decode = jpeg.DecodeConfig
			}
			cfg, err := decode(bytes.NewReader(out.Data))
			if err != nil {
				t.Fatalf("output does not decode: %v", err)
			}
			if cfg.Width != out.Width || cfg.Height != out.Height || cfg.Width*cfg.Height > fuzzMaxPixels {
				t.Fatalf("output %d×%d, reported %d×%d", cfg.Width, cfg.Height, out.Width, out.Height)
			}
		case logos.KindSVG:
			checkSafeSVG(t, out.Data)
		}
	})
}
