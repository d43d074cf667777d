//go:build rollouttest_broken

package pb_migrations

import (
	"errors"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Built only with -tags rollouttest_broken: a release whose migration fails,
// so "serve" never becomes ready and scripts/deploy.sh must roll back.
func init() {
	m.Register(func(app core.App) error {
		return errors.New("this build is broken on purpose (rollout test)")
	}, func(app core.App) error { return nil })
}
