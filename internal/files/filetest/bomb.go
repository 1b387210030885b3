// Package filetest holds files for tests of uploads: what an attacker would upload.
package filetest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"sync"
)

var (
	bombOnce sync.Once
	bomb     []byte
)

// BombPNG is a valid 7000×7000 PNG of 16 bits a channel (RGBA): about 400 KB on disk, 392 MB decoded. It is
// built by streaming rows of zeros through zlib, never holding the image.
func BombPNG() []byte {
	bombOnce.Do(func() {
		const w, h = 7000, 7000
		var out bytes.Buffer
		out.WriteString("\x89PNG\r\n\x1a\n")
		chunk := func(kind string, data []byte) {
			binary.Write(&out, binary.BigEndian, uint32(len(data)))
			c := crc32.NewIEEE()
			c.Write([]byte(kind))
			c.Write(data)
			out.WriteString(kind)
			out.Write(data)
			binary.Write(&out, binary.BigEndian, c.Sum32())
		}
		ihdr := make([]byte, 13)
		binary.BigEndian.PutUint32(ihdr[0:], w)
		binary.BigEndian.PutUint32(ihdr[4:], h)
		ihdr[8], ihdr[9] = 16, 6 // 16 bits, RGBA
		chunk("IHDR", ihdr)
		var idat bytes.Buffer
		z, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
		row := make([]byte, 1+w*8) // filter byte, then the pixels
		for range h {
			z.Write(row)
		}
		z.Close()
		chunk("IDAT", idat.Bytes())
		chunk("IEND", nil)
		bomb = out.Bytes()
	})
	return bomb
}
