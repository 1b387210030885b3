// Package archcheck owns the code's layering and size rules, checked by its tests (and so by `make lint`):
// a door (internal/server/<door>) never imports another door, only internal/server imports a door, a domain
// package (internal/<domain>) never imports the server or the templates, the templates never touch the
// database, and no hand-written file or package grows past the size a reader can hold in mind.
package archcheck

import (
	"io/fs"
	"path/filepath"
	"strings"
)

// module is the module path of go.mod; imports of the repository's own packages start with it.
const module = "fieldops"

// walk calls fn with the slash-separated path, relative to root, of every file the rules look at: all but those
// under dot-directories, node_modules and testdata, and the top-level tools (its own module) and web (assets).
func walk(root string, fn func(rel string) error) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && skipDir(rel, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		return fn(rel)
	})
}

func skipDir(rel, name string) bool {
	switch {
	case strings.HasPrefix(name, "."), name == "node_modules", name == "testdata":
		return true
	default:
		return rel == "tools" || rel == "web"
	}
}

// within reports whether the slash path p is dir or lies below it.
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+"/")
}
