package archcheck

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

const server = "internal/server"

// Imports parses the imports of every .go file under root (test files included) and returns one line for each
// import that breaks the layering, naming the file, the import, the rule and what to move where.
func Imports(root string) ([]string, error) {
	doors, err := doorsIn(root)
	if err != nil {
		return nil, err
	}
	var problems []string
	err = walk(root, func(rel string) error {
		if !strings.HasSuffix(rel, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, rel), nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, spec := range f.Imports {
			imp, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return fmt.Errorf("%s: import %s: %w", rel, spec.Path.Value, err)
			}
			if why := broken(path.Dir(rel), imp, doors); why != "" {
				problems = append(problems, rel+" imports "+imp+": "+why)
			}
		}
		return nil
	})
	return problems, err
}

// doorsIn returns the doors: every directory right under internal/server but page.
func doorsIn(root string) (map[string]bool, error) {
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(server)))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	doors := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() && e.Name() != "page" && !skipDir(server+"/"+e.Name(), e.Name()) {
			doors[e.Name()] = true
		}
	}
	return doors, nil
}

// doorOf returns the door that the slash path p (a directory or an import path relative to the module) belongs
// to, or "" when it is in no door.
func doorOf(p string, doors map[string]bool) string {
	rest, ok := strings.CutPrefix(p, server+"/")
	if !ok {
		return ""
	}
	door, _, _ := strings.Cut(rest, "/")
	if !doors[door] {
		return ""
	}
	return door
}

// broken returns the rule that a file in dir breaks by importing imp, and what to do about it; "" if none.
func broken(dir, imp string, doors map[string]bool) string {
	target, own := strings.CutPrefix(imp, module+"/")
	if !own {
		target = ""
	}
	from, to := doorOf(dir, doors), doorOf(target, doors)
	domain := within(dir, "internal") && dir != "internal" && !within(dir, server) && !within(dir, "internal/archcheck")
	switch {
	case from != "" && to != "" && from != to:
		return "a door never imports another door; move what both need into internal/server/page or a domain package"
	case to != "" && from == "" && dir != server:
		return "only internal/server imports a door; move what this needs into internal/server/page or a domain package"
	case domain && within(target, server):
		return "a domain package never imports the server; move what both need into a domain package"
	case domain && within(target, "templates"):
		return "a domain package never imports the templates; return data and let the handler render it"
	case within(dir, "templates") && within(target, server):
		return "a template never imports the server; have the handler pass it what the viewer may see and do"
	case within(dir, "templates") && (within(target, "internal/db") || strings.HasPrefix(imp, "github.com/jackc/pgx")):
		return "a template never touches the database; have the handler pass it domain types or plain values"
	}
	return ""
}
