package cli

import (
	"strings"
	"time"
)

// busyAttempts is how often a command retries a transaction that met a
// running server's write.
const busyAttempts = 5

// retryWhenBusy runs fn again when SQLite answers "database is locked": a
// transaction that read before it wrote cannot wait for the server's
// concurrent write (SQLITE_BUSY_SNAPSHOT) and has to start over. fn must be
// safe to repeat.
func retryWhenBusy(fn func() error) error {
	var err error
	for attempt := 1; attempt <= busyAttempts; attempt++ {
		if err = fn(); err == nil || !isBusy(err) {
			return err
		}
		time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
	}
	return err
}

// isBusy reports whether err is SQLite's busy or locked answer.
func isBusy(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY")
}
