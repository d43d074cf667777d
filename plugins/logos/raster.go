package logos

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
)

// maxZeroPadding is how many zero bytes may follow the end of a PNG or
// JPEG image. Some writers pad files to a block size; zeros cannot hide a
// second file, anything else after the image can (PNG/ZIP polyglots).
const maxZeroPadding = 4096

// jpegQuality is the quality of re-encoded JPEG logos: high enough that a
// second compression is not visible at logo sizes.
const jpegQuality = 90

// processPNG re-encodes a PNG image. Only the pixels survive: ancillary
// chunks (tEXt, zTXt, iTXt, eXIf, iCCP, tIME, private chunks) and bytes
// after IEND do not.
func processPNG(data []byte, maxPixels int) (Processed, error) {
	end, err := pngEnd(data)
	if err != nil {
		return Processed{}, errCorrupt("PNG", err)
	}
	if !zeroPadding(data[end:]) {
		return Processed{}, errTrailingData("PNG")
	}
	img, err := decodeBounded(data[:end], "PNG", maxPixels, png.DecodeConfig, png.Decode)
	if err != nil {
		return Processed{}, err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	if err := encodeSafely(func() error { return enc.Encode(&buf, img) }); err != nil {
		return Processed{}, errCorrupt("PNG", err)
	}
	b := img.Bounds()
	return Processed{Data: buf.Bytes(), ContentType: "image/png", Ext: "png", Width: b.Dx(), Height: b.Dy()}, nil
}

// processJPEG re-encodes a JPEG image, dropping every APPn segment (EXIF
// with GPS position and thumbnails, XMP, ICC, Photoshop data), comments and
// anything after the EOI marker.
func processJPEG(data []byte, maxPixels int) (Processed, error) {
	end, err := jpegEnd(data)
	if err != nil {
		return Processed{}, errCorrupt("JPEG", err)
	}
	if !zeroPadding(data[end:]) {
		return Processed{}, errTrailingData("JPEG")
	}
	img, err := decodeBounded(data[:end], "JPEG", maxPixels, jpeg.DecodeConfig, jpeg.Decode)
	if err != nil {
		return Processed{}, err
	}
	var buf bytes.Buffer
	if err := encodeSafely(func() error { return jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality}) }); err != nil {
		return Processed{}, errCorrupt("JPEG", err)
	}
	b := img.Bounds()
	return Processed{Data: buf.Bytes(), ContentType: "image/jpeg", Ext: "jpg", Width: b.Dx(), Height: b.Dy()}, nil
}

// decodeBounded reads the image header first and refuses images with too
// many pixels before any pixel memory is allocated: a tiny file may claim
// 100000 × 100000 pixels (a decompression bomb).
func decodeBounded(
	data []byte,
	format string,
	maxPixels int,
	decodeConfig func(io.Reader) (image.Config, error),
	decode func(io.Reader) (image.Image, error),
) (img image.Image, err error) {
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, errCorrupt(format, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, errCorrupt(format, fmt.Errorf("image size %d×%d", cfg.Width, cfg.Height))
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, errTooManyPixels(cfg.Width, cfg.Height, maxPixels)
	}
	// The standard decoders are not known to panic, but a logo must never
	// take the server down if one ever does.
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, errCorrupt(format, fmt.Errorf("decoder panic: %v", r))
		}
	}()
	img, err = decode(bytes.NewReader(data))
	if err != nil {
		return nil, errCorrupt(format, err)
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, errCorrupt(format, fmt.Errorf("decoded %d×%d, header says %d×%d", b.Dx(), b.Dy(), cfg.Width, cfg.Height))
	}
	return img, nil
}

func encodeSafely(encode func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("encoder panic: %v", r)
		}
	}()
	return encode()
}

// zeroPadding reports whether tail is a short run of zero bytes (or empty).
func zeroPadding(tail []byte) bool {
	if len(tail) > maxZeroPadding {
		return false
	}
	for _, c := range tail {
		if c != 0 {
			return false
		}
	}
	return true
}

// pngEnd walks the chunk structure of a PNG file and returns the offset just
// after its IEND chunk. Chunk contents (and their CRCs) are left to the
// decoder; this only finds where the image ends.
func pngEnd(data []byte) (int, error) {
	if !bytes.HasPrefix(data, pngSignature) {
		return 0, errors.New("no PNG signature")
	}
	pos := len(pngSignature)
	for {
		if len(data)-pos < 12 {
			return 0, errors.New("file ends before the IEND chunk")
		}
		length := binary.BigEndian.Uint32(data[pos:])
		if length > 1<<31-1 {
			return 0, fmt.Errorf("chunk length %d out of range", length)
		}
		chunkType := string(data[pos+4 : pos+8])
		next := pos + 12 + int(length)
		if next > len(data) || next < pos {
			return 0, fmt.Errorf("chunk %q runs past the end of the file", chunkType)
		}
		pos = next
		if chunkType == "IEND" {
			return pos, nil
		}
	}
}

// jpegEnd walks the marker segments and entropy-coded data of a JPEG file
// and returns the offset just after its EOI marker. Segments are skipped by
// their declared length, so an EXIF thumbnail (a JPEG inside APP1) does not
// end the walk early.
func jpegEnd(data []byte) (int, error) {
	if !bytes.HasPrefix(data, []byte{0xFF, 0xD8}) {
		return 0, errors.New("no SOI marker")
	}
	pos := 2
	for {
		if pos >= len(data) || data[pos] != 0xFF {
			return 0, fmt.Errorf("expected a marker at offset %d", pos)
		}
		for pos < len(data) && data[pos] == 0xFF { // fill bytes
			pos++
		}
		if pos >= len(data) {
			return 0, errors.New("file ends inside a marker")
		}
		marker := data[pos]
		pos++
		switch {
		case marker == 0xD9: // EOI
			return pos, nil
		case marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7): // TEM, RSTn: no length
			continue
		case marker == 0x00 || marker == 0xD8:
			return 0, fmt.Errorf("unexpected marker 0x%02X at offset %d", marker, pos-1)
		}
		if len(data)-pos < 2 {
			return 0, errors.New("file ends inside a segment header")
		}
		length := int(binary.BigEndian.Uint16(data[pos:]))
		if length < 2 || pos+length > len(data) {
			return 0, fmt.Errorf("segment 0x%02X runs past the end of the file", marker)
		}
		pos += length
		if marker != 0xDA { // anything but SOS is followed by the next marker
			continue
		}
		// entropy-coded data: ends at the first 0xFF that is neither a
		// stuffed zero byte nor a restart marker
		for {
			i := bytes.IndexByte(data[pos:], 0xFF)
			if i < 0 {
				return 0, errors.New("file ends inside the image data")
			}
			pos += i
			if pos+1 >= len(data) {
				return 0, errors.New("file ends inside the image data")
			}
			next := data[pos+1]
			if next == 0x00 || (next >= 0xD0 && next <= 0xD7) || next == 0xFF {
				pos++
				if next != 0xFF {
					pos++
				}
				continue
			}
			break
		}
	}
}
