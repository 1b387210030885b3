package files

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // decoders for thumbnails
	"image/jpeg"
	_ "image/png"
	"runtime"

	"github.com/jackc/pgx/v5"
	"golang.org/x/image/draw"

	"fieldops/internal/db"
)

// MaxDecodeBytes is the most memory one thumbnail may take to decode, judged from the image's header before any
// pixel is read: a 381 KB PNG can declare 7000×7000 pixels of 16 bits a channel, 392 MB decoded. Larger images
// are stored and served, only without a thumbnail.
const MaxDecodeBytes = 100 << 20

// ThumbnailEdge is the longest side of a thumbnail, in pixels.
const ThumbnailEdge = 320

// Thumbnails makes images' thumbnails after their upload's transaction has committed — never holding the job's
// row lock — and at most one at a time per core, so a burst of uploads queues for the CPU instead of multiplying
// the memory decoding takes. It is safe for concurrent use.
type Thumbnails struct {
	db    *db.DB
	store Storage
	slots chan struct{}
}

// NewThumbnails returns the pool, one decode per core.
func NewThumbnails(d *db.DB, store Storage) *Thumbnails {
	return &Thumbnails{db: d, store: store, slots: make(chan struct{}, runtime.NumCPU())}
}

// Make gives file f, just uploaded with data, its thumbnail when it is an image within MaxDecodeBytes: stored and
// marked in its own transaction. An image that is too large or unreadable gets none, which is no error.
func (t *Thumbnails) Make(ctx context.Context, companyID int64, f File, data []byte) error {
	if !f.IsImage() || !decodable(data) {
		return nil
	}
	select {
	case t.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	thumb := thumbnail(data)
	<-t.slots
	if thumb == nil {
		return nil
	}
	return t.db.InCompany(ctx, companyID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `update files set has_thumbnail = true where company_id = $1 and id = $2 and not has_thumbnail`, companyID, f.ID)
		if err != nil {
			return fmt.Errorf("files: thumbnail: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil // removed meanwhile, or done already
		}
		return t.store.Put(ctx, tx, companyID, f.ID, Thumbnail, thumb)
	})
}

// decodable says, from the header alone, whether decoding data stays within MaxDecodeBytes.
func decodable(data []byte) bool {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return false
	}
	perPixel := bytesPerPixel(cfg.ColorModel)
	if progressiveJPEG(data) {
		// Go's decoder keeps every component's coefficients of a progressive JPEG: 4 bytes a pixel each.
		perPixel += 4 * components(cfg.ColorModel)
	}
	return int64(cfg.Width)*int64(cfg.Height)*perPixel <= MaxDecodeBytes
}

// components is how many colour components an image of model m has.
func components(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.Gray16Model:
		return 1
	case color.CMYKModel:
		return 4
	}
	return 3
}

// progressiveJPEG says data is a JPEG whose frame header (read before the first scan) is progressive (SOF2).
func progressiveJPEG(data []byte) bool {
	if len(data) < 4 || data[0] != 0xff || data[1] != 0xd8 {
		return false
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xff {
			return false
		}
		marker := data[i+1]
		switch {
		case marker == 0xff: // fill byte
			i++
			continue
		case marker == 0xc2 || marker == 0xc6 || marker == 0xca || marker == 0xce:
			return true
		case marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc, marker == 0xda:
			return false // another frame type, or the first scan
		}
		i += 2 + int(data[i+2])<<8 | int(data[i+3])
	}
	return false
}

// bytesPerPixel is what the decoder allocates per pixel for an image of model m.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.Gray16Model:
		return 2
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.YCbCrModel:
		return 3 // 4:4:4 at worst
	case color.CMYKModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4
}

// thumbnail is a JPEG at most ThumbnailEdge px wide or high, or nil when the image cannot be read.
func thumbnail(data []byte) []byte {
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > ThumbnailEdge || h > ThumbnailEdge {
		if w >= h {
			w, h = ThumbnailEdge, max(1, h*ThumbnailEdge/b.Dx())
		} else {
			w, h = max(1, w*ThumbnailEdge/b.Dy()), ThumbnailEdge
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src) // transparent PNGs on white
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, b, draw.Over, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil
	}
	return out.Bytes()
}
