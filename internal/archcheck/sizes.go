package archcheck

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

const (
	fileLimit    = 500   // lines of one hand-written file
	packageLimit = 2_000 // hand-written lines of one package directory
)

// Sizes returns one line for each hand-written .go or .templ file under root over 500 lines and each directory
// whose hand-written files together pass 2,000 lines, saying what to split or move. Hand-written excludes test
// files and generated files (those that say so before their package clause, as templ's *_templ.go do); lines are
// counted as wc -l does.
func Sizes(root string) ([]string, error) {
	var problems []string
	perDir := map[string]int{}
	err := walk(root, func(rel string) error {
		if !sourceFile(rel) {
			return nil
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		if generated(data) {
			return nil
		}
		n := bytes.Count(data, []byte("\n"))
		if n > fileLimit {
			problems = append(problems, fmt.Sprintf("%s has %s lines (limit %s): split it by what it does (%s)",
				rel, thousands(n), thousands(fileLimit), splitBy(rel)))
		}
		perDir[path.Dir(rel)] += n
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, dir := range slices.Sorted(maps.Keys(perDir)) {
		if n := perDir[dir]; n > packageLimit {
			problems = append(problems, fmt.Sprintf("%s has %s hand-written lines (limit %s): %s",
				dir, thousands(n), thousands(packageLimit), shrink(dir)))
		}
	}
	return problems, nil
}

// sourceFile says rel is a .go or .templ file that is not a test.
func sourceFile(rel string) bool {
	return !strings.HasSuffix(rel, "_test.go") && (strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, ".templ"))
}

// generated says a Go file carries the standard "Code generated … DO NOT EDIT." line (templ writes it at the
// top of every *_templ.go), so a file is judged by what it says, not by its name.
func generated(data []byte) bool {
	for line := range bytes.Lines(data) {
		line = bytes.TrimSpace(line)
		if bytes.HasPrefix(line, []byte("package ")) {
			return false
		}
		if bytes.HasPrefix(line, []byte("// Code generated ")) && bytes.HasSuffix(line, []byte(" DO NOT EDIT.")) {
			return true
		}
	}
	return false
}

func splitBy(rel string) string {
	if strings.HasSuffix(rel, ".templ") {
		return "a file per tab or component"
	}
	return "a file per resource or concern"
}

func shrink(dir string) string {
	if dir == server {
		return "move handlers into their door package"
	}
	return "split it into packages by what each owns"
}

// thousands writes n with a comma between each group of three digits: 2,345.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
