package hooks

import (
	"errors"
	"fmt"
	"net/mail"
	"sync"
	"time"

	"github.com/denbi/service-registry/internal/jobruns"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Outbox statuses.
const (
	outboxPending = "pending"
	outboxSent    = "sent"
	outboxFailed  = "failed"
)

const (
	// outboxBatch is how many messages one run sends at most.
	outboxBatch = 50
	// outboxLease keeps a message from being picked up by an overlapping run
	// while it is being sent.
	outboxLease = 10 * time.Minute
	// smtpTimeout bounds one delivery; PocketBase's SMTP client has none.
	smtpTimeout = 60 * time.Second
	// maxBackoff caps the pause between attempts.
	maxBackoff = time.Hour
)

// OutboxJobID is the cron job that delivers the outbox.
const OutboxJobID = "mail_outbox_send"

// newMailer returns the SMTP client of the configuration, or nil while no
// SMTP host is configured (messages then wait in the outbox).
func (r *registry) newMailer() mailer.Mailer {
	if r.cfg.SMTP.Host == "" {
		return nil
	}
	return &mailer.SMTPClient{
		Host:     r.cfg.SMTP.Host,
		Port:     r.cfg.SMTP.Port,
		Username: r.cfg.SMTP.Username,
		Password: r.cfg.SMTP.Password,
		TLS:      r.cfg.SMTP.TLS,
	}
}

// bindPocketBaseMail sends PocketBase's own emails (login codes, password
// resets of the office's accounts) through the registry's SMTP settings,
// so the SMTP password never has to be stored in the database settings.
func (r *registry) bindPocketBaseMail() {
	r.app.OnMailerSend().BindFunc(func(e *core.MailerEvent) error {
		if r.mailer != nil {
			e.Mailer = r.mailer
		}
		return e.Next()
	})
}

// bindOutbox schedules the delivery job, every minute, and with
// [email] deliver_immediately also runs it as soon as a new message is
// committed, while the server runs.
func (r *registry) bindOutbox() {
	r.app.Cron().MustAdd(OutboxJobID, "* * * * *", func() { r.runOutbox("cron") })
	if !r.cfg.Email.DeliverImmediately {
		return
	}
	kick := make(chan struct{}, 1)
	r.app.OnRecordAfterCreateSuccess("mail_outbox").BindFunc(func(e *core.RecordEvent) error {
		select {
		case kick <- struct{}{}:
		default: // a run is already due and will take this message too
		}
		return e.Next()
	})
	var start sync.Once
	r.app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		start.Do(func() {
			go func() {
				for range kick {
					// let a run in progress finish, so this one is not
					// skipped as an overlap and takes the new message
					r.outboxRunning.Lock()
					r.outboxRunning.Unlock() //nolint:staticcheck // a wait, not a critical section
					r.runOutbox("queued")
				}
			}()
		})
		return se.Next()
	})
}

// runOutbox is one run of the delivery job.
func (r *registry) runOutbox(trigger string) {
	_ = jobruns.Run(r.app, OutboxJobID, trigger, func() (string, error) {
		sent, err := r.deliverOutbox()
		if err != nil {
			r.app.Logger().Warn("Some emails could not be delivered; they will be retried", "error", err)
		}
		return fmt.Sprintf("%d emails sent", sent), err
	})
}

// deliverOutbox sends the messages that are due, records each result, and
// returns how many were sent. A message is marked sent right after the SMTP
// server accepted it; failures are retried with growing pauses until
// [email] max_attempts, then marked failed with the last error kept.
func (r *registry) deliverOutbox() (int, error) {
	if !r.outboxRunning.TryLock() {
		return 0, nil // the previous run is still busy
	}
	defer r.outboxRunning.Unlock()

	if r.mailer == nil {
		return 0, nil
	}
	now := time.Now().UTC()
	var due []*core.Record
	err := r.app.RecordQuery("mail_outbox").
		AndWhere(dbx.HashExp{"status": outboxPending}).
		AndWhere(dbx.NewExp("next_attempt_at <= {:now}", dbx.Params{"now": types.NowDateTime().String()})).
		OrderBy("next_attempt_at ASC").Limit(outboxBatch).All(&due)
	if err != nil {
		return 0, err
	}

	sent := 0
	var errs []error
	for _, row := range due {
		row.Set("next_attempt_at", now.Add(outboxLease))
		if err := r.app.SaveNoValidate(row); err != nil {
			errs = append(errs, err)
			continue
		}
		sendErr := r.send(row)
		attempts := row.GetInt("attempts") + 1
		row.Set("attempts", attempts)
		if sendErr == nil {
			row.Set("status", outboxSent)
			row.Set("sent_at", types.NowDateTime())
			row.Set("last_error", "")
			sent++
		} else {
			errs = append(errs, fmt.Errorf("message %s: %w", row.Id, sendErr))
			row.Set("last_error", truncate(sendErr.Error(), 2000))
			if attempts >= r.cfg.Email.MaxAttempts {
				row.Set("status", outboxFailed)
				r.app.Logger().Error("Email given up after repeated failures", "message", row.Id, "attempts", attempts, "error", sendErr)
			} else {
				row.Set("next_attempt_at", now.Add(backoff(attempts)))
			}
		}
		if err := r.app.SaveNoValidate(row); err != nil {
			errs = append(errs, err)
		}
	}
	return sent, errors.Join(errs...)
}

// send delivers one outbox row.
func (r *registry) send(row *core.Record) error {
	msg := &mailer.Message{
		From:    mail.Address{Address: r.cfg.Email.FromAddress, Name: r.cfg.Email.FromName},
		Subject: row.GetString("subject"),
		Text:    row.GetString("text_body"),
		HTML:    row.GetString("html_body"),
		Headers: map[string]string{"Reply-To": r.cfg.Email.FromAddress},
	}
	var to, cc []string
	_ = row.UnmarshalJSONField("to", &to)
	_ = row.UnmarshalJSONField("cc", &cc)
	for _, a := range to {
		msg.To = append(msg.To, mail.Address{Address: a})
	}
	for _, a := range cc {
		msg.Cc = append(msg.Cc, mail.Address{Address: a})
	}
	if len(msg.To) == 0 {
		return errors.New("the message has no recipient")
	}

	done := make(chan error, 1)
	go func() { done <- r.mailer.Send(msg) }()
	select {
	case err := <-done:
		return err
	case <-time.After(smtpTimeout):
		return fmt.Errorf("the SMTP server did not answer within %s", smtpTimeout)
	}
}

// backoff is the pause before attempt n+1: one minute, doubling, at most an hour.
func backoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
