package main

import (
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// generate writes n submissions straight into the data directory (one
// transaction, no hooks): each with a category, up to two PIs, a service
// centre and two EDAM topics, in a realistic mix of statuses.
func generate(data string, n int) error {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: data})
	if err := app.Bootstrap(); err != nil {
		return err
	}
	defer app.ResetBootstrapState()

	ids := func(collection, filter string, limit int) ([]string, error) {
		records, err := app.FindRecordsByFilter(collection, filter, "id", limit, 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", collection, err)
		}
		if len(records) == 0 {
			return nil, fmt.Errorf("no %s to refer to: run 'registry seed demo' first", collection)
		}
		out := make([]string, len(records))
		for i, r := range records {
			out[i] = r.Id
		}
		return out, nil
	}
	categories, err := ids("categories", "active = true", 50)
	if err != nil {
		return err
	}
	pis, err := ids("pis", "is_associated_partner = false", 50)
	if err != nil {
		return err
	}
	centres, err := ids("service_centers", "", 50)
	if err != nil {
		return err
	}
	topics, err := ids("edam_terms", "branch = 'topic' && obsolete = false", 200)
	if err != nil {
		return err
	}
	collection, err := app.FindCollectionByNameOrId("submissions")
	if err != nil {
		return err
	}
	statuses := []string{"submitted", "submitted", "under_review", "approved", "approved", "approved", "rejected", "deprecated"}
	today := time.Now().UTC().Format("2006-01-02")
	err = app.RunInTransaction(func(tx core.App) error {
		for i := 0; i < n; i++ {
			record := core.NewRecord(collection)
			record.Load(map[string]any{
				"date_of_entry": today, "submitter_first_name": "Load", "submitter_last_name": fmt.Sprintf("Tester %d", i%97),
				"submitter_affiliation": "Benchmark University", "service_name": fmt.Sprintf("Generated service %05d", i),
				"service_description": "A generated service that exists so the list workloads page through a realistic table.",
				"year_established":    2000 + i%25, "service_categories": []string{categories[i%len(categories)]},
				"responsible_pis": []string{pis[i%len(pis)], pis[(i+1)%len(pis)]}, "service_center": centres[i%len(centres)],
				"edam_topics":        []string{topics[i%len(topics)], topics[(i+7)%len(topics)]},
				"publications_pmids": "12345678", "host_institute": "Benchmark University",
				"public_contact_email": "help@example.org", "internal_contact_name": "Load Tester",
				"internal_contact_email": "internal@example.org", "website_url": "https://example.org",
				"terms_of_use_url": "https://example.org/terms", "license_note": "Not applicable",
				"kpi_monitoring": "yes", "kpi_start_year": "2021", "data_protection_consent": true,
				"status": statuses[i%len(statuses)],
			})
			if err := tx.SaveNoValidate(record); err != nil {
				return fmt.Errorf("submission %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// fold the write-ahead log into the database, as a running server
	// does on its own, so the server starts on a settled file
	_, err = app.NonconcurrentDB().NewQuery("PRAGMA wal_checkpoint(TRUNCATE)").Execute()
	return err
}
