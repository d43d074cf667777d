package hooks

import (
	"strconv"

	"github.com/pocketbase/pocketbase/core"
)

// bindRecordIDs gives new categories the next free integer id: the /api/v1
// compatibility API exposes category ids as integers, as the Django registry
// did. (EDAM term ids are derived from their accessions by the EDAM plugin.)
func (r *registry) bindRecordIDs() {
	r.app.OnRecordCreate("categories").BindFunc(func(e *core.RecordEvent) error {
		if e.Record.Id == "" {
			next, err := nextIntegerID(e.App, e.Record.Collection().Name)
			if err != nil {
				return err
			}
			e.Record.Set(core.FieldNameId, next)
		}
		return e.Next()
	})
}

// nextIntegerID returns one more than the largest integer id of a collection.
func nextIntegerID(app core.App, collection string) (string, error) {
	var last struct {
		Max int64 `db:"max_id"`
	}
	err := app.DB().
		Select("COALESCE(MAX(CAST(id AS INTEGER)), 0) AS max_id").
		From(collection).
		One(&last)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(last.Max+1, 10), nil
}
