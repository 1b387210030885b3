// Command barechi is the floor `make load` measures the app against: a bare chi router answering GET /healthz
// with "ok\n", with none of the app's middleware. Usage: barechi 127.0.0.1:18081
package main

import (
	"fmt"
	"net/http"
	"os"

	"github.com/go-chi/chi/v5"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: barechi ADDR")
		os.Exit(2)
	}
	r := chi.NewRouter()
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	if err := http.ListenAndServe(os.Args[1], r); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
