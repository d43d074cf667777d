package licenses

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/pocketbase/pocketbase/core"
)

// ErrUnknownLicense is returned by ResolveLicense for ids the list does not
// have.
var ErrUnknownLicense = errors.New("unknown SPDX license id")

// ResolveLicense returns the licenses record whose license_id is exactly
// licenseID (case-sensitive, as SPDX ids are written). Deprecated licenses
// resolve too; whether a new selection may use one is the caller's rule.
// An unknown or empty id gives an error wrapping ErrUnknownLicense.
func ResolveLicense(app core.App, licenseID string) (*core.Record, error) {
	if licenseID == "" {
		return nil, fmt.Errorf("%w: empty id", ErrUnknownLicense)
	}
	rec, err := app.FindFirstRecordByData(CollectionName, "license_id", licenseID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownLicense, licenseID)
	}
	if err != nil {
		return nil, fmt.Errorf("looking up license %q: %w", licenseID, err)
	}
	return rec, nil
}
