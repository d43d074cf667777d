package cli

import (
	"errors"
	"testing"
)

func TestRetryWhenBusyRepeatsOnlyLockErrors(t *testing.T) {
	calls := 0
	err := retryWhenBusy(func() error {
		calls++
		if calls < 3 {
			return errors.New("loading demo data: database is locked (517)")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("want success on the third call, got %v after %d", err, calls)
	}
	calls = 0
	other := errors.New("categories: validation failed")
	if err := retryWhenBusy(func() error { calls++; return other }); !errors.Is(err, other) || calls != 1 {
		t.Fatalf("other errors must not be retried: %v after %d calls", err, calls)
	}
}
