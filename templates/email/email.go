package email

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"text/template"

	"github.com/a-h/templ"
)

//go:embed *.txt
var texts embed.FS

var text = template.Must(template.New("").ParseFS(texts, "*.txt"))

// Render returns the text part (the *.txt template named textName, with data) and the HTML part (html).
func Render(ctx context.Context, textName string, data any, html templ.Component) (textBody, htmlBody string, err error) {
	var t, h bytes.Buffer
	if err := text.ExecuteTemplate(&t, textName, data); err != nil {
		return "", "", fmt.Errorf("email: text %s: %w", textName, err)
	}
	if err := html.Render(ctx, &h); err != nil {
		return "", "", fmt.Errorf("email: html: %w", err)
	}
	return t.String(), h.String(), nil
}
