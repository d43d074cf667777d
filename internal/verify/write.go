package verify

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// checkWrite registers a test service through /api/v1, reads it back with
// its own key, changes it, and deprecates it: the deprecation notifies the
// office, which can then delete the test entry.
func (v *verifier) checkWrite() {
	names := []string{
		"write: register a test service through /api/v1",
		"write: read it back with its key",
		"write: change it with its key",
		"write: deprecate it (the office is notified to remove it)",
	}
	if !v.opts.Write {
		for _, n := range names {
			v.skip(n, "nothing is created without --write")
		}
		return
	}
	if v.opts.AdminKey == "" {
		for _, n := range names {
			v.fail(n, "--write needs --admin-key to choose a category, service centre and PI")
		}
		return
	}
	admin := "Authorization: AdminKey " + v.opts.AdminKey
	first := func(path string, usable func(map[string]any) bool) (any, error) {
		res, err := v.do(http.MethodGet, path, nil, admin)
		if err != nil {
			return nil, err
		}
		var items []map[string]any
		if res.status != http.StatusOK || json.Unmarshal(res.body, &items) != nil {
			return nil, fmt.Errorf("GET %s answered %d", path, res.status)
		}
		for _, item := range items {
			if usable(item) {
				return item["id"], nil
			}
		}
		return nil, fmt.Errorf("no usable entry at %s", path)
	}
	anyEntry := func(map[string]any) bool { return true }
	category, err1 := first("/api/v1/categories/?is_active=true", anyEntry)
	centre, err2 := first("/api/v1/service-centers/?is_active=true", anyEntry)
	pi, err3 := first("/api/v1/pis/?is_active=true", func(p map[string]any) bool { return p["is_associated_partner"] != true })
	for _, err := range []error{err1, err2, err3} {
		if err != nil {
			for _, n := range names {
				v.fail(n, "reference data: %v", err)
			}
			return
		}
	}

	stamp := time.Now().UTC().Format("2006-01-02 15:04:05")
	payload := map[string]any{
		"date_of_entry": time.Now().UTC().Format("2006-01-02"), "submitter_first_name": "Registry",
		"submitter_last_name": "Verification", "submitter_affiliation": "Operations check",
		"service_name":         "Registry verification " + stamp,
		"service_description":  "A test entry created by 'registry verify --write' to check a deployment end to end. It is deprecated right away.",
		"year_established":     time.Now().UTC().Year(),
		"service_category_ids": []any{category}, "responsible_pi_ids": []any{pi}, "service_center_id": centre,
		"publications_pmids": "1234567", "host_institute": "Operations check", "public_contact_email": "verify@example.org",
		"internal_contact_name": "Registry verification", "internal_contact_email": "verify@example.org",
		"website_url": "https://example.org", "terms_of_use_url": "https://example.org/terms",
		"license_note": "Not applicable", "kpi_monitoring": "planned", "data_protection_consent": true,
		"comments": "Created by registry verify; safe to delete.",
	}
	res, err := v.do(http.MethodPost, "/api/v1/submissions/", payload)
	var created struct {
		ID     string `json:"id"`
		APIKey string `json:"api_key"`
	}
	if err != nil || res.status != http.StatusCreated || json.Unmarshal(res.body, &created) != nil || len(created.APIKey) < 48 {
		detail := fmt.Sprint(err)
		if res != nil {
			detail = fmt.Sprintf("answered %d %s", res.status, snippet(res.body))
		}
		v.fail(names[0], "%s", detail)
		for _, n := range names[1:] {
			v.skip(n, "the test service was not created")
		}
		return
	}
	v.pass(names[0])
	owner := "Authorization: ApiKey " + created.APIKey
	path := "/api/v1/submissions/" + created.ID + "/"

	if res, err := v.do(http.MethodGet, path, nil, owner); err != nil || res.status != http.StatusOK || !strings.Contains(string(res.body), stamp) {
		v.fail(names[1], "%s", describe(res, err))
	} else {
		v.pass(names[1])
	}

	if res, err := v.do(http.MethodPatch, path, map[string]any{"comments": "Checked at " + stamp}, owner); err != nil || res.status != http.StatusOK || !strings.Contains(string(res.body), "Checked at") {
		v.fail(names[2], "%s", describe(res, err))
	} else {
		v.pass(names[2])
	}

	if res, err := v.do(http.MethodPost, "/api/registry/submissions/"+created.ID+"/deprecate", nil, owner); err != nil || res.status != http.StatusOK || !strings.Contains(string(res.body), `"deprecated"`) {
		v.fail(names[3], "%s (test entry %s stays)", describe(res, err), created.ID)
	} else {
		v.pass(names[3])
	}
}

func describe(res *response, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("answered %d %s", res.status, snippet(res.body))
}
