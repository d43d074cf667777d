package logos_test

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/denbi/service-registry/plugins/logos"
	"github.com/pocketbase/pocketbase/core/validators"
	"github.com/pocketbase/pocketbase/tools/filesystem"
)

func TestHostileSVGsAreRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, svg, code string
	}{
		{"XXE: external entity", `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
			`<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>`, logos.CodeSVGDoctype},
		{"XXE: parameter entity", `<!DOCTYPE svg [<!ENTITY % dtd SYSTEM "https://evil.example/x.dtd"> %dtd;]><svg/>`, logos.CodeSVGDoctype},
		{"billion laughs", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">` +
			`<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
			`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">` +
			`<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>` +
			`<svg xmlns="http://www.w3.org/2000/svg"><text>&lol9;</text></svg>`, logos.CodeSVGDoctype},
		{"entity from an external DTD", `<!DOCTYPE svg SYSTEM "https://evil.example/x.dtd"><svg><text>&xxe;</text></svg>`, logos.CodeInvalidSVG},
		{"DOCTYPE inside the document", `<svg><!DOCTYPE svg><rect/></svg>`, logos.CodeSVGDoctype},
		{"HTML entity", `<svg><text>&nbsp;</text></svg>`, logos.CodeInvalidSVG},
		{"root is not svg", `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>`, logos.CodeUnsupported},
		{"svg root in the XHTML namespace", `<svg xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></svg>`, logos.CodeUnsupported},
		{"XML declaration only", `<?xml version="1.0"?>`, logos.CodeUnsupported},
		{"comment only", `<!-- nothing -->`, logos.CodeUnsupported},
		{"unclosed root", `<svg><rect/>`, logos.CodeInvalidSVG},
		{"mismatched tags", `<svg><g></rect></svg>`, logos.CodeInvalidSVG},
		{"second root", `<svg/><script>alert(1)</script>`, logos.CodeInvalidSVG},
		{"text after the root", `<svg/>trailing`, logos.CodeInvalidSVG},
		{"Latin-1 declared", `<?xml version="1.0" encoding="ISO-8859-1"?><svg/>`, logos.CodeInvalidSVG},
		{"invalid UTF-8", "<svg><text>\xff\xfe</text></svg>", logos.CodeInvalidSVG},
		{"nested too deep", "<svg>" + strings.Repeat("<g>", 120) + strings.Repeat("</g>", 120) + "</svg>", logos.CodeSVGTooComplex},
		{"too many elements", "<svg>" + strings.Repeat("<rect/>", 50_001) + "</svg>", logos.CodeSVGTooComplex},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := logos.Process([]byte(tc.svg), 0, 0)
			if got := refusalCode(err); got != tc.code {
				t.Fatalf("code %q (err %v), want %q; output %s", got, err, tc.code, out.Data)
			}
		})
	}
}

func TestHostileSVGsAreNeutralised(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		svg     string
		gone    []string // must not appear in the output
		kept    []string // must appear in the output
		element string   // an element that must survive
	}{
		{"script element", svgHead + `<script>alert(1)</script><script type="text/ecmascript"><![CDATA[alert(2)]]></script><rect width="5" height="5"/></svg>`,
			[]string{"script", "alert"}, nil, "rect"},
		{"script in another namespace", svgHead + `<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script><circle r="2"/></svg>`,
			[]string{"script", "alert"}, nil, "circle"},
		{"onload on the root", `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)" ONLOAD="alert(2)" viewBox="0 0 1 1"><rect/></svg>`,
			[]string{"onload", "ONLOAD", "alert"}, []string{`viewBox="0 0 1 1"`}, "rect"},
		{"event handlers on shapes", svgHead + `<rect onclick="alert(1)" onmouseover="alert(2)" fill="red"/></svg>`,
			[]string{"onclick", "onmouseover", "alert"}, []string{`fill="red"`}, "rect"},
		{"javascript: link", svgHead + `<a xlink:href="javascript:alert(1)"><text>click</text></a><a href=" JaVaScRiPt:alert(2)"><text>me</text></a></svg>`,
			[]string{"javascript", "JaVaScRiPt", "alert"}, []string{"click"}, "a"},
		{"javascript: link written with a character reference", svgHead + `<a href="&#106;avascript:alert(1)"><text>x</text></a></svg>`,
			[]string{"avascript", "alert"}, nil, "text"},
		{"external image (tracker)", svgHead + `<image href="https://tracker.example/pixel.png" width="1" height="1"/><image xlink:href="//tracker.example/p.png"/></svg>`,
			[]string{"tracker.example", "href"}, nil, "image"},
		{"external use reference", svgHead + `<use href="https://evil.example/sprite.svg#logo"/><use xlink:href="other.svg#a"/></svg>`,
			[]string{"evil.example", "other.svg"}, nil, "use"},
		{"foreignObject with HTML", svgHead + `<foreignObject width="100" height="100"><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil.example"></iframe><img src="x" onerror="alert(1)"/></body></foreignObject><rect/></svg>`,
			[]string{"foreignObject", "iframe", "body", "evil.example", "onerror", "alert"}, nil, "rect"},
		{"CSS url() in a style element", svgHead + `<style>rect { fill: url("https://tracker.example/x.svg#p") }</style><rect/></svg>`,
			[]string{"tracker.example", "<style"}, nil, "rect"},
		{"CSS @import", svgHead + `<style>@import "https://tracker.example/a.css"; rect{fill:red}</style><rect/></svg>`,
			[]string{"tracker.example", "@import"}, nil, "rect"},
		{"CSS @import url()", svgHead + `<style>@IMPORT url(//tracker.example/a.css);</style><rect/></svg>`,
			[]string{"tracker.example", "IMPORT"}, nil, "rect"},
		{"CSS escape spelling url", svgHead + `<style>rect{fill:u\72l(https://tracker.example/x)}</style><rect/></svg>`,
			[]string{"tracker.example"}, nil, "rect"},
		{"CSS url hidden behind a comment in a string", svgHead + `<style>text{content:"/*"} rect{fill:url(https://tracker.example/x)} /* "*/</style><rect/></svg>`,
			[]string{"tracker.example"}, nil, "rect"},
		{"CSS url after a string broken by a line break", svgHead + "<style>text{content:\"x\nrect{fill:url(https://tracker.example/x)}</style><rect/></svg>",
			[]string{"tracker.example"}, nil, "rect"},
		{"CSS image-set", svgHead + `<style>rect{mask-image:image-set("https://tracker.example/x.png" 1x)}</style><rect/></svg>`,
			[]string{"tracker.example"}, nil, "rect"},
		{"CSS url() in a style attribute", svgHead + `<rect style="fill:red;background-image:url(https://tracker.example/x)" stroke="blue"/></svg>`,
			[]string{"tracker.example", "style="}, []string{`stroke="blue"`}, "rect"},
		{"url() in a presentation attribute", svgHead + `<rect fill="url(https://tracker.example/x.svg#g)" filter="url(//tracker.example/f.svg#f)" mask="image-set('https://tracker.example/m.png' 1x)" stroke="url(#g)"/></svg>`,
			[]string{"tracker.example", "fill=", "filter=", "mask="}, []string{`stroke="url(#g)"`}, "rect"},
		{"animation rewriting a link", svgHead + `<a href="#x"><set attributeName="href" to="javascript:alert(1)"/><animate attributeName="href" values="javascript:alert(2)"/><text>x</text></a></svg>`,
			[]string{"javascript", "alert", "<set", "<animate"}, []string{`href="#x"`}, "text"},
		{"xml-stylesheet processing instruction", `<?xml version="1.0"?><?xml-stylesheet href="https://tracker.example/s.css"?>` + svgHead + `<rect/></svg>`,
			[]string{"tracker.example", "<?"}, nil, "rect"},
		{"xml:base redirecting relative links", svgHead + `<g xml:base="https://evil.example/"><use href="#a"/></g></svg>`,
			[]string{"evil.example", "xml:base"}, []string{`href="#a"`}, "use"},
		{"SVG data URL image", svgHead + `<image href="data:image/svg+xml;base64,` + base64.StdEncoding.EncodeToString([]byte(`<svg onload="alert(1)"/>`)) + `"/></svg>`,
			[]string{"data:", "href"}, nil, "image"},
		{"HTML data URL", svgHead + `<image href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"/></svg>`,
			[]string{"data:", "script"}, nil, "image"},
		{"src and action attributes", svgHead + `<rect src="https://evil.example" action="https://evil.example"/></svg>`,
			[]string{"evil.example"}, nil, "rect"},
		{"editor metadata", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://ns.adobe.com/Extensibility/1.0/" x:secret="Jane"><metadata>Jane Doe, Bielefeld</metadata><x:data>secret</x:data><rect/></svg>`,
			[]string{"Jane", "secret", "metadata"}, nil, "rect"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := logos.Process([]byte(tc.svg), 0, 0)
			if err != nil {
				t.Fatalf("refused instead of cleaned: %v", err)
			}
			if out.ContentType != "image/svg+xml" || out.Ext != "svg" {
				t.Fatalf("type %s/%s", out.ContentType, out.Ext)
			}
			checkSafeSVG(t, out.Data)
			for _, s := range tc.gone {
				if bytes.Contains(out.Data, []byte(s)) {
					t.Errorf("output still contains %q:\n%s", s, out.Data)
				}
			}
			for _, s := range tc.kept {
				if !bytes.Contains(out.Data, []byte(s)) {
					t.Errorf("output lost %q:\n%s", s, out.Data)
				}
			}
			if !slices.Contains(elementNames(t, out.Data), tc.element) {
				t.Errorf("element <%s> lost:\n%s", tc.element, out.Data)
			}
		})
	}
}

func TestCleanSVGKeepsItsDrawing(t *testing.T) {
	t.Parallel()
	out, err := logos.Process([]byte(cleanSVG), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkSafeSVG(t, out.Data)
	want := []string{"svg", "title", "defs", "linearGradient", "stop", "stop", "style", "symbol", "circle",
		"g", "rect", "use", "use", "a", "text"}
	if got := elementNames(t, out.Data); !slices.Equal(got, want) {
		t.Fatalf("elements %v, want %v\n%s", got, want, out.Data)
	}
	for _, s := range []string{
		`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="240" height="80" viewBox="0 0 240 80" version="1.1">`,
		`fill: url(#g)`, `@media (max-width: 100px)`, `font-family: "Open Sans"`,
		`transform="translate(10 10) rotate(5)"`, `style="stroke:#333;stroke-width:2"`, `fill="url(#g)"`,
		`xlink:href="#dot"`, `<use href="#dot" x="40" y="20"/>`, `xml:space="preserve"`, `Proteome &amp; Co.`,
	} {
		if !bytes.Contains(out.Data, []byte(s)) {
			t.Errorf("output lost %q:\n%s", s, out.Data)
		}
	}
	for _, s := range []string{"inkscape", "sodipodi", "Jane", "<?xml", "<!--", "Created with"} {
		if bytes.Contains(out.Data, []byte(s)) {
			t.Errorf("output kept %q", s)
		}
	}
}

func TestSVGOutputIsStable(t *testing.T) {
	t.Parallel()
	first, err := logos.Process([]byte(cleanSVG), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	second, err := logos.Process(first.Data, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Data, second.Data) {
		t.Fatalf("cleaning twice changed the file:\n%s\n%s", first.Data, second.Data)
	}
}

func TestSVGWithExternalDoctypeOnlyIsAccepted(t *testing.T) {
	t.Parallel()
	in := `<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg version="1.1" xmlns="http://www.w3.org/2000/svg" x="0px" y="0px" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>`
	out, err := logos.Process([]byte(in), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out.Data, []byte("DOCTYPE")) || bytes.Contains(out.Data, []byte("w3.org/Graphics")) {
		t.Fatalf("DOCTYPE kept:\n%s", out.Data)
	}
}

func TestSVGWithoutNamespaceOrWithPrefixIsNormalised(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`<svg width="10"><rect/></svg>`,
		`<ns0:svg xmlns:ns0="http://www.w3.org/2000/svg" width="10"><ns0:rect/></ns0:svg>`,
		"\xEF\xBB\xBF\n<svg xmlns='http://www.w3.org/2000/svg' width='10'><rect></rect></svg>\n",
	} {
		out, err := logos.Process([]byte(in), 0, 0)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if want := `<svg xmlns="http://www.w3.org/2000/svg" width="10"><rect/></svg>`; string(out.Data) != want {
			t.Errorf("%s\n got %s\nwant %s", in, out.Data, want)
		}
	}
}

func TestEmbeddedRasterImagesAreReencoded(t *testing.T) {
	t.Parallel()
	jpg := base64.StdEncoding.EncodeToString(jpegWithGPS(t))
	png := base64.StdEncoding.EncodeToString(pngWithMetadata(t))
	in := svgHead + `<image href="data:image/jpeg;base64,` + jpg + `" width="24" height="16"/>` +
		`<feImage xlink:href="data:image/PNG;base64,` + png[:40] + "\n " + png[40:] + `"/></svg>`
	out, err := logos.Process([]byte(in), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkSafeSVG(t, out.Data)
	if bytes.Contains(out.Data, []byte(jpg)) || bytes.Contains(out.Data, []byte(png)) {
		t.Fatal("embedded images kept as uploaded")
	}
	for _, prefix := range []string{`href="data:image/jpeg;base64,`, `xlink:href="data:image/png;base64,`} {
		i := bytes.Index(out.Data, []byte(prefix))
		if i < 0 {
			t.Fatalf("image %s dropped:\n%.300s", prefix, out.Data)
		}
		rest := out.Data[i+len(prefix):]
		raw, err := base64.StdEncoding.DecodeString(string(rest[:bytes.IndexByte(rest, '"')]))
		if err != nil {
			t.Fatal(err)
		}
		for _, leaked := range []string{"Exif", secretGPS, "SECRET-TEXT", "PK\x03\x04"} {
			if bytes.Contains(raw, []byte(leaked)) {
				t.Errorf("embedded image still contains %q", leaked)
			}
		}
	}
}

func TestEmbeddedImagesShareThePixelBudget(t *testing.T) {
	t.Parallel()
	img := `<image href="data:image/png;base64,` + base64.StdEncoding.EncodeToString(cleanPNG(t, 10, 10)) + `"/>`
	in := svgHead + img + img + img + `</svg>`
	out, err := logos.Process([]byte(in), 0, 250) // room for two of the three
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(out.Data, []byte("data:image/png")); n != 2 {
		t.Fatalf("%d embedded images kept, want 2", n)
	}
}

// PocketBase checks the file field's MimeTypes by sniffing the stored
// bytes; every cleaned logo must pass as image/svg+xml, image/png or
// image/jpeg (the schema's list).
func TestCleanedFilesPassPocketBaseTypeCheck(t *testing.T) {
	t.Parallel()
	check := validators.UploadedFileMimeType([]string{"image/png", "image/jpeg", "image/svg+xml"})
	inputs := map[string][]byte{
		"svg":               []byte(cleanSVG),
		"svg with xml decl": []byte(`<?xml version="1.0"?>` + "\n" + `<svg viewBox="0 0 1 1"><rect/></svg>`),
		"long root":         []byte(`<svg ` + strings.Repeat(`data-x="`+strings.Repeat("a", 100)+`" `, 1) + strings.Repeat(`class="c" `, 1) + `viewBox="0 0 1 1"><rect/></svg>`),
		"png":               pngWithMetadata(t),
		"jpeg":              jpegWithGPS(t),
	}
	for name, in := range inputs {
		out, err := logos.Process(in, 0, 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f, err := filesystem.NewFileFromBytes(out.Data, "logo."+out.Ext)
		if err != nil {
			t.Fatal(err)
		}
		if err := check(f); err != nil {
			t.Errorf("%s: PocketBase refuses the cleaned file: %v", name, err)
		}
	}
	// and the check is real: the uncleaned SVG of a text file is refused
	f, _ := filesystem.NewFileFromBytes([]byte("just text"), "logo.svg")
	if check(f) == nil {
		t.Fatal("PocketBase's check accepted plain text")
	}
}
