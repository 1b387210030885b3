package files

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/files/filetest"
)

func TestDecodable(t *testing.T) {
	var photo bytes.Buffer
	jpeg.Encode(&photo, image.NewRGBA(image.Rect(0, 0, 4000, 3000)), nil) // a 12 MP phone photo
	// The headers of a 4000×3000 colour JPEG: 36 MB decoded as baseline, 180 MB as progressive.
	jpegHeader := func(sof byte) []byte {
		return []byte{0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, sof, 0, 17, 8, 0x0b, 0xb8, 0x0f, 0xa0, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1}
	}
	cases := []struct {
		name string
		data []byte
		want bool
	}{
		{"a baseline 12 MP JPEG header", jpegHeader(0xc0), true},
		{"a progressive 12 MP JPEG header", jpegHeader(0xc2), false},
		{"a small PNG", pngOf(1600, 800), true},
		{"a 12 MP JPEG", photo.Bytes(), true},
		{"a 7000×7000 16-bit PNG of 400 KB", filetest.BombPNG(), false},
		{"not an image", []byte("hello"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := decodable(c.data); got != c.want {
				t.Errorf("decodable = %v, want %v (%d bytes)", got, c.want, len(c.data))
			}
		})
	}
	if n := len(filetest.BombPNG()); n > 600<<10 {
		t.Errorf("the bomb is %d bytes; it should be small", n)
	}
}

// TestThumbnails_Make: an image gets its thumbnail after the upload's transaction; one over the decoding budget
// is stored without one.
func TestThumbnails_Make(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co := tdb.CreateCompany(t, "Acme")
	var client, site int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Harbour') returning id`, co).Scan(&client)
	tdb.Owner.QueryRow(ctx, `insert into sites (company_id, client_id, name, address) values ($1, $2, 'A', '1 St') returning id`, co, client).Scan(&site)
	store := Postgres{DB: tdb.DB}
	thumbs := NewThumbnails(tdb.DB, store)
	upload := func(name string, data []byte) File {
		var f File
		if err := tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
			f, err = Save(ctx, tx, store, co, Owner{SiteID: site}, 0, Upload{Name: name, Data: data})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := thumbs.Make(ctx, co, f, data); err != nil {
			t.Fatal(err)
		}
		var got File
		tdb.Read(ctx, co, func(b *pgx.Batch) { QueueGet(b, co, Owner{SiteID: site, ClientID: client}, f.ID, false, &got) })
		return got
	}
	if f := upload("plan.png", pngOf(1600, 800)); !f.HasThumbnail {
		t.Error("a small PNG got no thumbnail")
	} else if _, err := store.Get(ctx, co, f.ID, Thumbnail); err != nil {
		t.Errorf("its thumbnail: %v", err)
	}
	if f := upload("bomb.png", filetest.BombPNG()); f.HasThumbnail {
		t.Error("the 392 MB PNG got a thumbnail")
	} else if _, err := store.Get(ctx, co, f.ID, Original); err != nil {
		t.Errorf("the large PNG itself was not stored: %v", err)
	}
}
