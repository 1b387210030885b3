package server

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"fieldops/internal/files/filetest"
	"fieldops/internal/identity"
)

// TestUploads_BoundedMemory: 20 parallel uploads of a 400 KB PNG that decodes to 392 MB keep the server's
// resident memory under 300 MB — the image's header decides, before any decoding, that it gets no thumbnail.
// The uploads run in a fresh child process, so its peak is theirs alone.
func TestUploads_BoundedMemory(t *testing.T) {
	if os.Getenv("FIELDOPS_RSS_CHILD") == "1" {
		uploadBombs(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestUploads_BoundedMemory$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FIELDOPS_RSS_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var peakKB int
	for line := range strings.Lines(string(out)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "peak-rss-kb="); ok {
			peakKB, _ = strconv.Atoi(v)
		}
	}
	if peakKB == 0 || peakKB > 300<<10 {
		t.Errorf("peak RSS of 20 parallel uploads = %d MB, want under 300 MB\n%s", peakKB>>10, out)
	}
	t.Logf("peak RSS of 20 parallel uploads: %d MB", peakKB>>10)
}

func uploadBombs(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	job := seedJob(t, tdb, acme, seedClient(t, tdb, acme, "Harbour"), "Leak")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	bomb := filetest.BombPNG()
	path := "/jobs/" + strconv.FormatInt(job, 10) + "/files"
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if res, body := admin.upload(path, "bomb"+strconv.Itoa(i)+".png", bomb, nil); res.StatusCode != http.StatusSeeOther {
				t.Errorf("upload = %d: %.200s", res.StatusCode, body)
			}
		}()
	}
	wg.Wait()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			println("peak-rss-kb=" + strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
}
