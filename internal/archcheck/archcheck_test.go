package archcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The real repository, from internal/archcheck.
const repo = "../.."

func TestRepo_Imports(t *testing.T) {
	problems, err := Imports(repo)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

func TestRepo_Sizes(t *testing.T) {
	problems, err := Sizes(repo)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// goFile is a Go file of package pkg importing imports.
func goFile(pkg string, imports ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\n", pkg)
	for _, imp := range imports {
		fmt.Fprintf(&b, "import _ %q\n", imp)
	}
	return b.String()
}

// lines is a file of n lines, as wc -l counts them.
func lines(n int) string {
	return strings.Repeat("// a line\n", n)
}

// tree writes files (slash path → content) under a new temporary directory and returns it.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// check fails t unless got holds exactly one line per want, in order, each starting with its want.
func check(t *testing.T, got, want []string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.HasPrefix(got[i], want[i])
	}
	if !ok {
		t.Errorf("got %d problems:\n\t%s\nwant %d starting:\n\t%s",
			len(got), strings.Join(got, "\n\t"), len(want), strings.Join(want, "\n\t"))
	}
}

// cleanTree follows every rule, with sizes right at the limits.
var cleanTree = map[string]string{
	"cmd/fieldops/main.go":                      goFile("main", "fieldops/internal/server", "fieldops/internal/db"),
	"internal/server/routes.go":                 goFile("server", "fieldops/internal/server/office", "fieldops/internal/server/portal"),
	"internal/server/routes_test.go":            goFile("server_test", "fieldops/internal/server/portal"),
	"internal/server/page/page.go":              goFile("page", "fieldops/internal/jobs", "fieldops/templates/layout"),
	"internal/server/office/jobs.go":            goFile("office", "fieldops/internal/server/page", "fieldops/internal/jobs", "fieldops/templates/jobs"),
	"internal/server/office/jobs_test.go":       goFile("office_test", "fieldops/internal/server/office", "fieldops/internal/db/dbtest"),
	"internal/server/portal/portal.go":          goFile("portal", "fieldops/internal/server/page", "github.com/jackc/pgx/v5"),
	"internal/jobs/jobs.go":                     goFile("jobs", "fieldops/internal/db", "fieldops/internal/apperr", "github.com/jackc/pgx/v5/pgtype"),
	"internal/jobs/jobs_test.go":                goFile("jobs", "fieldops/internal/db/dbtest"),
	"templates/jobs/show.templ":                 "package jobs\n" + lines(499),
	"templates/jobs/list.go":                    goFile("jobs", "fieldops/internal/jobs", "fieldops/templates/layout"),
	"templates/jobs/list_templ.go":              goFile("jobs", "fieldops/internal/jobs"),
	"templates/layout/layout.go":                goFile("layout") + lines(497),
	"templates/layout/field.templ":              lines(500),
	"templates/layout/nav.templ":                lines(500),
	"templates/layout/menu.templ":               lines(500),
	"tools/tools.go":                            goFile("tools", "fieldops/internal/server/office") + lines(600),
	"web/embed.go":                              goFile("web", "fieldops/internal/server/office") + lines(600),
	".data/x.go":                                goFile("x", "fieldops/internal/server/office") + lines(600),
	"web/node_modules/big.go":                   lines(600),
	"internal/jobs/testdata/import_door.go":     goFile("x", "fieldops/internal/server/office") + lines(600),
	"internal/server/office/big_test.go":        goFile("office") + lines(600),
	"internal/server/office/generated_templ.go": goFile("office") + lines(600),
}

func TestImports(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"clean tree", cleanTree, nil},
		{"door imports door", map[string]string{
			"internal/server/office/jobs.go": goFile("office", "fieldops/internal/server/page", "fieldops/internal/server/portal"),
			"internal/server/portal/x.go":    goFile("portal"),
		}, []string{"internal/server/office/jobs.go imports fieldops/internal/server/portal: a door never imports another door"}},
		{"door's test imports another door", map[string]string{
			"internal/server/office/jobs_test.go": goFile("office_test", "fieldops/internal/server/office", "fieldops/internal/server/cowork"),
			"internal/server/cowork/x.go":         goFile("cowork"),
		}, []string{"internal/server/office/jobs_test.go imports fieldops/internal/server/cowork: a door never imports another door"}},
		{"a new door is a door", map[string]string{
			"internal/server/kiosk/kiosk.go":        goFile("kiosk", "fieldops/internal/server/public/forms"),
			"internal/server/public/forms/forms.go": goFile("forms"),
		}, []string{"internal/server/kiosk/kiosk.go imports fieldops/internal/server/public/forms: a door never imports another door"}},
		{"cmd imports a door", map[string]string{
			"cmd/fieldops/main.go":        goFile("main", "fieldops/internal/server", "fieldops/internal/server/office"),
			"internal/server/office/x.go": goFile("office"),
		}, []string{"cmd/fieldops/main.go imports fieldops/internal/server/office: only internal/server imports a door"}},
		{"page imports a door", map[string]string{
			"internal/server/page/page.go": goFile("page", "fieldops/internal/server/portal"),
			"internal/server/portal/x.go":  goFile("portal"),
		}, []string{"internal/server/page/page.go imports fieldops/internal/server/portal: only internal/server imports a door"}},
		{"templates import a door", map[string]string{
			"templates/jobs/show_templ.go": goFile("jobs", "fieldops/internal/server/office"),
			"internal/server/office/x.go":  goFile("office"),
		}, []string{"templates/jobs/show_templ.go imports fieldops/internal/server/office: only internal/server imports a door"}},
		{"domain imports templates", map[string]string{
			"internal/mail/invite.go": goFile("mail", "fieldops/internal/db", "fieldops/templates/email"),
		}, []string{"internal/mail/invite.go imports fieldops/templates/email: a domain package never imports the templates"}},
		{"domain imports internal/server", map[string]string{
			"internal/jobs/jobs.go":        goFile("jobs", "fieldops/internal/server"),
			"internal/db/dbtest/dbtest.go": goFile("dbtest", "fieldops/internal/server/page"),
		}, []string{
			"internal/db/dbtest/dbtest.go imports fieldops/internal/server/page: a domain package never imports the server",
			"internal/jobs/jobs.go imports fieldops/internal/server: a domain package never imports the server",
		}},
		{"domain's test imports internal/server", map[string]string{
			"internal/jobs/jobs_test.go": goFile("jobs_test", "fieldops/internal/jobs", "fieldops/internal/server"),
		}, []string{"internal/jobs/jobs_test.go imports fieldops/internal/server: a domain package never imports the server"}},
		{"templates import internal/db", map[string]string{
			"templates/jobs/list.go":       goFile("jobs", "fieldops/internal/jobs", "fieldops/internal/db"),
			"templates/jobs/list_templ.go": goFile("jobs", "fieldops/internal/db/dbtest"),
		}, []string{
			"templates/jobs/list.go imports fieldops/internal/db: a template never touches the database",
			"templates/jobs/list_templ.go imports fieldops/internal/db/dbtest: a template never touches the database",
		}},
		{"templates import pgx", map[string]string{
			"templates/jobs/list.go":          goFile("jobs", "github.com/jackc/pgx/v5/pgtype"),
			"templates/clients/show_templ.go": goFile("clients", "github.com/jackc/pgx/v5"),
		}, []string{
			"templates/clients/show_templ.go imports github.com/jackc/pgx/v5: a template never touches the database",
			"templates/jobs/list.go imports github.com/jackc/pgx/v5/pgtype: a template never touches the database",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Imports(tree(t, c.files))
			if err != nil {
				t.Fatal(err)
			}
			check(t, got, c.want)
		})
	}
}

func TestSizes(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"clean tree", cleanTree, nil},
		{"file over 500 lines", map[string]string{
			"templates/jobs/show.templ": lines(501),
			"internal/jobs/write.go":    lines(1234),
		}, []string{
			"internal/jobs/write.go has 1,234 lines (limit 500): split it by what it does (a file per resource or concern)",
			"templates/jobs/show.templ has 501 lines (limit 500): split it by what it does (a file per tab or component)",
		}},
		{"package over 2,000 lines in small files", map[string]string{
			"internal/server/a.go":      lines(450),
			"internal/server/b.go":      lines(450),
			"internal/server/c.go":      lines(450),
			"internal/server/d.go":      lines(450),
			"internal/server/e.go":      lines(201),
			"internal/server/page/p.go": lines(450), // another package
			"templates/jobs/a.go":       lines(499),
			"templates/jobs/b.templ":    lines(499),
			"templates/jobs/c.go":       lines(499),
			"templates/jobs/d.templ":    lines(499),
			"templates/jobs/e.templ":    lines(5),
		}, []string{
			"internal/server has 2,001 hand-written lines (limit 2,000): move handlers into their door package",
			"templates/jobs has 2,001 hand-written lines (limit 2,000): split it into packages by what each owns",
		}},
		{"generated and test files do not count", map[string]string{
			"templates/jobs/show_templ.go":   lines(900),
			"internal/server/jobs_test.go":   lines(900),
			"internal/server/jobs.go":        lines(500),
			"internal/server/clients.go":     lines(500),
			"internal/server/server_test.go": lines(900),
			"internal/server/portal.go":      lines(500),
			"internal/server/share.go":       lines(500),
		}, nil},
		{"only the top-level tools and web are skipped", map[string]string{
			"internal/server/web/big.go": lines(501),
			"templates/tools/big.templ":  lines(501),
		}, []string{
			"internal/server/web/big.go has 501 lines",
			"templates/tools/big.templ has 501 lines",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Sizes(tree(t, c.files))
			if err != nil {
				t.Fatal(err)
			}
			check(t, got, c.want)
		})
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 500: "500", 2000: "2,000", 12345: "12,345", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
