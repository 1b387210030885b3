package files

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"fieldops/internal/apperr"
)

// pngOf is a real PNG of w×h pixels.
func pngOf(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, h/2, color.RGBA{255, 0, 0, 255})
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		want string // "" accepted; else part of the message
		ct   string
	}{
		{"photo.png", pngOf(10, 10), "", "image/png"},
		{"PHOTO.JPG", []byte("\xff\xd8\xff\xe0 rest"), "", "image/jpeg"},
		{"quote.pdf", []byte("%PDF-1.7 ..."), "", "application/pdf"},
		{"notes.txt", []byte("plain words"), "", "text/plain; charset=utf-8"},
		{"evil.exe", []byte("MZ\x90\x00"), "cannot be uploaded", ""},
		{"script.html", []byte("<script>"), "cannot be uploaded", ""},
		{"fake.png", []byte("<svg onload=alert(1)>"), "not a png file", ""},
		{"fake.pdf", pngOf(2, 2), "not a pdf file", ""},
		{"binary.txt", []byte("a\x00b"), "not a txt file", ""},
		{"empty.png", nil, "Choose a file", ""},
		{"huge.pdf", append([]byte("%PDF-"), make([]byte, MaxSize)...), "larger than 10 MB", ""},
	} {
		_, ct, err := check(Upload{Name: c.name, Data: c.data})
		msg := apperr.AsValidation(err).Field("file")
		switch {
		case c.want == "" && (err != nil || ct != c.ct):
			t.Errorf("%s: refused (%v) or typed %q", c.name, err, ct)
		case c.want != "" && !strings.Contains(msg, c.want):
			t.Errorf("%s: %q, want it to say %q", c.name, msg, c.want)
		}
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		`C:\Users\me\photo.jpg`: "photo.jpg",
		"../../etc/passwd":      "passwd",
		"a\"b\nc.png":           "abc.png",
		"":                      "file",
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestThumbnail(t *testing.T) {
	thumb := thumbnail(pngOf(1600, 800))
	img, err := jpeg.Decode(bytes.NewReader(thumb))
	if err != nil {
		t.Fatalf("thumbnail is not a JPEG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 320 || b.Dy() != 160 {
		t.Errorf("thumbnail is %v, want 320×160", b)
	}
	if thumbnail([]byte("\x89PNG\r\n\x1a\nnot really")) != nil {
		t.Error("a broken image got a thumbnail")
	}
}

func TestAccept_IsCommaSeparated(t *testing.T) {
	if a := Accept(); strings.Contains(a, " ") || !strings.Contains(a, ".jpg,.jpeg") || !strings.HasSuffix(a, ".csv") {
		t.Errorf("Accept() = %q, want comma-separated extensions", a)
	}
}
