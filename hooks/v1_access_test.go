package hooks

import "testing"

func TestRequestOnlyRule(t *testing.T) {
	cases := map[string]bool{
		`@request.auth.collectionName = "admin_keys" && @request.auth.active = true`: true,
		`(@request.auth.id != "" || @request.method = "GET") && @now > "2020-01-01"`: true,
		`active = true || @request.auth.collectionName = "admin_keys"`:               false,
		`@request.auth.submission = id`:                                              false,
		`@collection.pis.active ?= true`:                                             false,
		`@request.auth.id != "" && status = "approved"`:                              false,
		`not a rule ((`: false,
		`true`:          false,
	}
	for rule, want := range cases {
		if got := requestOnlyRule(rule); got != want {
			t.Errorf("%q: %v, want %v", rule, got, want)
		}
	}
}
