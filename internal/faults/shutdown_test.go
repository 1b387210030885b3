package faults

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/url"
	"sync"
	"syscall"
	"testing"
	"time"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/mail/mailtest"
)

// TestFaults_SIGTERMFinishesRequestsInFlight sends SIGTERM while an upload is still arriving, jobs are being
// created and the worker holds claimed emails: the upload and the creations finish and are saved whole, the worker
// hands back what it had not sent, and the process exits 0 within SHUTDOWN_GRACE; started again, it delivers the
// rest.
func TestFaults_SIGTERMFinishesRequestsInFlight(t *testing.T) {
	mp := mailtest.Start(t)
	appURL, ownerURL := dbtest.Empty(t)
	const grace = 8 * time.Second
	a := startApp(t, appURL, ownerURL, mp.SlowSMTP(20*time.Millisecond), fmt.Sprintf("SHUTDOWN_GRACE=%v", grace))
	o := newOffice(t, a)
	owner := ownerPool(t, ownerURL)
	ctx := context.Background()

	const emails = 100
	inParallel(t, emails, 4, func(i int) error {
		_, err := o.Admin.seeOther(o.JobPath+"/email", url.Values{"custom": {fmt.Sprintf("s%03d%s", i, burstDomain)},
			"subject": {"Your job"}, "body": {"On our way."}})
		return err
	})
	eventually(t, 10*time.Second, "the worker to hold claimed emails", func() bool {
		var sending int
		owner.QueryRow(ctx, `select count(*) from outbox_emails where status = 'sending'`).Scan(&sending)
		return sending > 0
	})

	// An upload whose 3 MB body arrives over 1.5 s.
	payload := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0123456789abcdef"), 3<<16)...)
	body, contentType := slowMultipart(payload, 30, 50*time.Millisecond)
	upload := make(chan string, 1)
	go func() {
		res, text, err := o.Admin.send("POST", o.JobPath+"/files", body, contentType)
		switch {
		case err != nil:
			upload <- "no answer: " + err.Error()
		case res.StatusCode != 303:
			upload <- fmt.Sprintf("%d: %.300s", res.StatusCode, text)
		default:
			upload <- ""
		}
	}()
	time.Sleep(300 * time.Millisecond) // the upload is under way
	// Job creations racing the signal: each is either saved and answered, or refused before it began.
	var creates sync.WaitGroup
	answered := make(chan string, 8)
	for i := range 8 {
		creates.Go(func() {
			target, err := o.Admin.seeOther("/jobs/new", url.Values{"client_id": {fmt.Sprint(o.ClientID)}, "title": {fmt.Sprintf("In flight %d", i)}})
			if err == nil {
				answered <- target
			}
		})
	}
	exitErr, took := a.stop(syscall.SIGTERM, grace+5*time.Second)
	creates.Wait()
	close(answered)
	if exitErr != nil {
		t.Errorf("fieldops exited with %v after SIGTERM, want 0", exitErr)
	}
	if took > grace {
		t.Errorf("exit took %v, more than SHUTDOWN_GRACE %v", took, grace)
	}
	if failure := <-upload; failure != "" {
		t.Fatalf("the upload in flight at SIGTERM: %s", failure)
	}
	var size int64
	owner.QueryRow(ctx, `select size from files where name = 'site-survey.pdf'`).Scan(&size)
	if size != int64(len(payload)) {
		t.Errorf("the upload saved %d bytes, want %d", size, len(payload))
	}
	var saved int
	owner.QueryRow(ctx, `select count(*) from jobs where title like 'In flight %'`).Scan(&saved)
	if saved != len(answered) {
		t.Errorf("%d jobs saved but %d creations answered: a creation was half-done", saved, len(answered))
	}
	var sending, sent int
	owner.QueryRow(ctx, `select count(*) filter (where status = 'sending'), count(*) filter (where status = 'sent')
	                       from outbox_emails where recipients[1] like '%'||$1`, burstDomain).Scan(&sending, &sent)
	if sending != 0 {
		t.Errorf("%d emails left in sending: the worker must hand back its claims", sending)
	}
	t.Logf("figures: exit 0 after %v; upload of %d bytes saved; %d of 8 creations answered and saved; %d of %d emails sent before the exit, none left claimed",
		took.Round(time.Millisecond), len(payload), saved, sent, emails)

	a.start()
	eventually(t, 60*time.Second, "every email to be delivered after the restart", func() bool {
		return mp.Count("to:"+burstDomain) >= emails
	})
}

// slowMultipart is a multipart body holding payload as the file site-survey.pdf, written in chunks with a pause
// between them, as a phone on a slow network sends it.
func slowMultipart(payload []byte, chunks int, pause time.Duration) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, _ := mw.CreateFormFile("file", "site-survey.pdf")
		step := len(payload)/chunks + 1
		for i := 0; i < len(payload); i += step {
			if _, err := fw.Write(payload[i:min(i+step, len(payload))]); err != nil {
				pw.CloseWithError(err)
				return
			}
			time.Sleep(pause)
		}
		pw.CloseWithError(mw.Close())
	}()
	return pr, mw.FormDataContentType()
}
