package faults

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// cluster is a Postgres cluster of one test's own, so it can be stopped and restarted without touching the
// cluster every other test shares. PG_BINDIR (set by `make test-faults`) names the server's binaries.
type cluster struct {
	t        *testing.T
	bin      string
	data     string
	socket   string
	AppURL   string
	OwnerURL string
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	bin := os.Getenv("PG_BINDIR")
	if bin == "" {
		t.Fatal("PG_BINDIR is not set: run the tests with `make test-faults`")
	}
	// Not t.TempDir: the postgres user must reach it, and a socket path must stay short.
	dir, err := os.MkdirTemp("/tmp", "fo-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	c := &cluster{t: t, bin: bin, data: filepath.Join(dir, "data"), socket: dir}
	os.Chmod(dir, 0o777)
	c.as("initdb", "-D", c.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
	c.ctl("start")
	t.Cleanup(func() { c.as(filepath.Join(c.bin, "pg_ctl"), "-D", c.data, "-m", "immediate", "-w", "stop") })
	c.psql(`create role fieldops_owner login createdb`)
	c.psql(`create role fieldops_app login`)
	c.psql(`create database fieldops owner fieldops_owner`)
	c.AppURL = fmt.Sprintf("postgres://fieldops_app@/fieldops?host=%s", c.socket)
	c.OwnerURL = fmt.Sprintf("postgres://fieldops_owner@/fieldops?host=%s", c.socket)
	return c
}

// ctl runs pg_ctl with verb (start, stop, restart), fast shutdown, waiting for it to finish.
func (c *cluster) ctl(verb string) {
	c.t.Helper()
	c.as(filepath.Join(c.bin, "pg_ctl"), "-D", c.data, "-l", filepath.Join(c.socket, "log"), "-m", "fast", "-w",
		"-o", "-k "+c.socket+" -c listen_addresses= -c max_connections=50 -c fsync=off", verb)
}

func (c *cluster) psql(sql string) {
	c.t.Helper()
	c.as(filepath.Join(c.bin, "psql"), "-q", "-X", "-v", "ON_ERROR_STOP=1", "-h", c.socket, "-U", "postgres", "-d", "postgres", "-c", sql)
}

// as runs a command as the user that may run Postgres: postgres when the tests run as root, else the same user.
func (c *cluster) as(name string, args ...string) {
	c.t.Helper()
	if name == "initdb" {
		name = filepath.Join(c.bin, "initdb")
	}
	cmd := exec.Command(name, args...)
	if os.Getuid() == 0 { // postgres refuses to run as root
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}
