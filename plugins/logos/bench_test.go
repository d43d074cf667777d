package logos_test

import (
	"strings"
	"testing"

	"github.com/denbi/service-registry/plugins/logos"
)

// The benchmarks report what one upload costs on this machine: a typical
// logo (512×512), a large raster logo (2000×2000) and a drawing-program
// SVG. Compare numbers between runs on the same machine only.

func benchmarkProcess(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := logos.Process(data, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProcessPNG512(b *testing.B)   { benchmarkProcess(b, cleanPNG(b, 512, 512)) }
func BenchmarkProcessPNG2000(b *testing.B)  { benchmarkProcess(b, cleanPNG(b, 2000, 2000)) }
func BenchmarkProcessJPEG512(b *testing.B)  { benchmarkProcess(b, cleanJPEG(b, 512, 512)) }
func BenchmarkProcessJPEG2000(b *testing.B) { benchmarkProcess(b, cleanJPEG(b, 2000, 2000)) }
func BenchmarkProcessSVG(b *testing.B)      { benchmarkProcess(b, []byte(cleanSVG)) }

// BenchmarkProcessSVGLarge is a traced logo: 5000 paths.
func BenchmarkProcessSVGLarge(b *testing.B) {
	path := `<path d="M10 10 C 20 20, 40 20, 50 10 S 80 0, 90 10" fill="url(#g)" stroke="#333" stroke-width="0.5"/>`
	benchmarkProcess(b, []byte(svgHead+strings.Repeat(path, 5000)+`</svg>`))
}

// BenchmarkRefuseBomb is the cost of refusing a PNG that claims 10^10 pixels.
func BenchmarkRefuseBomb(b *testing.B) {
	data := pngBomb(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := logos.Process(data, 0, 0); err == nil {
			b.Fatal("bomb accepted")
		}
	}
}
