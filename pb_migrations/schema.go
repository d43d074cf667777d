// Package migrations holds the registry's schema as Go migrations. They run
// on "serve", "migrate up" and in tests (tests.NewTestApp), in file-name
// order, each with a working "down".
//
// Blank-import the package wherever collections are needed:
//
//	import _ "github.com/denbi/service-registry/pb_migrations"
package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
)

// UUIDPattern is the shape of submission, centre, PI, key and bio.tools
// record ids: they are UUIDs so that records imported from the Django
// registry keep their ids and URLs.
const UUIDPattern = `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`

// uuidV4Generator makes PocketBase generate random version-4 UUIDs.
const uuidV4Generator = `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`

// IntegerIDPattern is the shape of category and EDAM term ids, which the
// /api/v1 compatibility API exposes as integers.
const IntegerIDPattern = `^[1-9][0-9]{0,17}$`

// useUUIDs switches a collection's id to random UUIDs.
func useUUIDs(c *core.Collection) {
	id := c.Fields.GetByName(core.FieldNameId).(*core.TextField)
	id.Pattern = UUIDPattern
	id.AutogeneratePattern = uuidV4Generator
	id.Min, id.Max = 36, 36
}

// useIntegerIDs switches a collection's id to integers chosen by the
// registry (see hooks/ids.go and the EDAM plugin).
func useIntegerIDs(c *core.Collection) {
	id := c.Fields.GetByName(core.FieldNameId).(*core.TextField)
	id.Pattern = IntegerIDPattern
	id.AutogeneratePattern = ""
	id.Min, id.Max = 1, 18
}

// timestamps adds the created/updated autodate fields PocketBase does not
// add to collections made in Go.
func timestamps(c *core.Collection) {
	c.Fields.Add(
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
}

// keyCollection prepares an auth collection whose records are API keys:
// no password login, no email, one-hour tokens for the browser edit page.
func keyCollection(name string) *core.Collection {
	c := core.NewAuthCollection(name)
	useUUIDs(c)
	c.PasswordAuth.Enabled = false
	c.OAuth2.Enabled = false
	c.OTP.Enabled = false
	c.MFA.Enabled = false
	// no new-device alerts: keys have no email to alert, and the check
	// would store a fingerprint of every client's IP and user agent
	c.AuthAlert.Enabled = false
	c.AuthToken.Duration = 3600
	c.AuthRule = ptr("active = true")
	if email, ok := c.Fields.GetByName(core.FieldNameEmail).(*core.EmailField); ok {
		email.Required = false
	}
	if password, ok := c.Fields.GetByName(core.FieldNamePassword).(*core.PasswordField); ok {
		// Nobody logs in with a password here; the random one set on each key
		// only satisfies the auth collection, so hashing it cheaply is fine.
		password.Cost = 4
	}
	return c
}

func ptr(s string) *string { return &s }

func float(f float64) *float64 { return &f }
