package chat

import (
	"regexp"
	"strings"
)

// Piece is a run of a message's text: a link (an http or https address) or plain words.
type Piece struct {
	Text string
	Link bool
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// Pieces cuts a message's text into plain runs and links, for the page to make the links clickable (and escape the
// rest). A link's trailing punctuation — the full stop ending the sentence — stays text.
func Pieces(body string) []Piece {
	var out []Piece
	last := 0
	for _, m := range linkPattern.FindAllStringIndex(body, -1) {
		link := strings.TrimRight(body[m[0]:m[1]], ".,;:!?)]}'")
		if link == "http://" || link == "https://" {
			continue
		}
		if m[0] > last {
			out = append(out, Piece{Text: body[last:m[0]]})
		}
		out = append(out, Piece{Text: link, Link: true})
		last = m[0] + len(link)
	}
	if last < len(body) {
		out = append(out, Piece{Text: body[last:]})
	}
	return out
}
