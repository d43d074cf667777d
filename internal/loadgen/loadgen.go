// Package loadgen drives a running registry over HTTP the way many API
// clients at once would: it finds reference data to refer to and builds
// valid registrations. The load tool (cmd/loadtest) and the reliability
// tests share it.
package loadgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// MaxBody bounds how much of an answer is read.
const MaxBody = 16 << 20

// StatusError is a non-2xx answer.
type StatusError struct {
	Method, URL string
	Status      int
	Body        []byte
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: %d %.300s", e.Method, e.URL, e.Status, e.Body)
}

// Request sends one request with an optional Authorization header and JSON
// body. A non-2xx answer is a *StatusError; out, when set, receives the
// decoded JSON body of a 2xx answer.
func Request(client *http.Client, method, url, auth string, body any, out any) error {
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, reader)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &StatusError{Method: method, URL: url, Status: resp.StatusCode, Body: raw}
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// References are the ids a registration refers to.
type References struct {
	Category, PI, Centre any
}

// FindReferences picks an active category, a PI who is not the associated
// partner placeholder and a service centre through the /api/v1 reference
// routes (adminKey may be empty: they are public).
func FindReferences(client *http.Client, base, adminKey string) (References, error) {
	var r References
	auth := ""
	if adminKey != "" {
		auth = "AdminKey " + adminKey
	}
	pick := func(path string, dst *any) error {
		var items []map[string]any
		if err := Request(client, http.MethodGet, base+path, auth, nil, &items); err != nil {
			return err
		}
		for _, it := range items {
			if it["is_associated_partner"] != true {
				*dst = it["id"]
				return nil
			}
		}
		return errors.New("no usable entry at " + path + ": load reference data first (registry seed demo)")
	}
	if err := pick("/api/v1/categories/", &r.Category); err != nil {
		return r, err
	}
	if err := pick("/api/v1/pis/", &r.PI); err != nil {
		return r, err
	}
	return r, pick("/api/v1/service-centers/", &r.Centre)
}

// Registration is a valid anonymous registration body for
// POST /api/v1/submissions/; i makes the service name unique.
func (r References) Registration(i int) map[string]any {
	return map[string]any{
		"date_of_entry": time.Now().UTC().Format("2006-01-02"), "submitter_first_name": "Load", "submitter_last_name": "Test",
		"submitter_affiliation": "Benchmark", "service_name": "Load test service " + strconv.Itoa(i),
		"service_description": "A service registered by the load generator to measure sustained anonymous registrations.",
		"year_established":    2021, "service_category_ids": []any{r.Category}, "responsible_pi_ids": []any{r.PI},
		"service_center_id": r.Centre, "publications_pmids": "12345678", "host_institute": "Benchmark",
		"public_contact_email": "load@example.org", "internal_contact_name": "Load Test", "internal_contact_email": "load@example.org",
		"website_url": "https://example.org", "terms_of_use_url": "https://example.org/terms", "license_note": "Not applicable",
		"kpi_monitoring": "planned", "data_protection_consent": true,
	}
}

// Created is the answer to a create: the new id and its key.
type Created struct {
	ID     string `json:"id"`
	APIKey string `json:"api_key"`
}
