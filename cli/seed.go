package cli

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io"

	"github.com/denbi/service-registry/plugins/edam"
	"github.com/denbi/service-registry/plugins/licenses"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// demoData holds a small EDAM release and the SPDX list, so a fresh
// installation works without internet access (see demodata/README.md).
//
//go:embed demodata/edam_demo.csv demodata/spdx_licenses.json
var demoData embed.FS

// demoEDAMVersion is the release the embedded EDAM terms come from.
const demoEDAMVersion = "1.25"

// demoCategories, demoCenters and demoPIs are a small, realistic set of
// reference data so a fresh "make run" shows a usable registration form.
var demoCategories = []string{
	"Database", "Tool", "Web service", "Workflow", "Training", "Cloud computing", "Consulting",
}

var demoCenters = []struct{ short, full, website string }{
	{"BiGi", "Bielefeld-Gießen Center for Microbial Bioinformatics", "https://www.denbi.de/"},
	{"CIBI", "Center for Integrative Bioinformatics", "https://www.denbi.de/"},
	{"HD-HuB", "Heidelberg Center for Human Bioinformatics", "https://www.denbi.de/"},
	{"RBC", "RNA Bioinformatics Center", "https://www.denbi.de/"},
	{"GCBN", "German Crop BioGreenformatics Network", "https://www.denbi.de/"},
}

var demoPIs = []struct {
	last, first, institute, orcid string
	partner                       bool
}{
	{"Carberry", "Josiah", "Brown University", "0000-0002-1825-0097", false},
	{"Lovelace", "Ada", "Bielefeld University", "", false},
	{"Franklin", "Rosalind", "University of Freiburg", "", false},
	{"Associated partner", "[please state below]", "", "", true},
}

// newSeedCommand builds "registry seed demo".
func newSeedCommand(app core.App) *cobra.Command {
	root := &cobra.Command{
		Use:   "seed",
		Short: "Load reference data",
	}
	root.AddCommand(&cobra.Command{
		Use:   "demo",
		Short: "Load demo reference data (only into empty tables)",
		Long: "Loads a small demo set of categories, service centres and principal investigators, and\n" +
			"(when their tables are empty) a small EDAM release and the SPDX license list, so a fresh\n" +
			"installation shows a usable form even without internet access. Tables that already hold\n" +
			"data are left alone. Production installations import their real reference data instead.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return fmt.Errorf("applying migrations: %w", err)
			}
			// both steps skip what is already there, so they may be repeated
			// when they meet a running server's write
			return retryWhenBusy(func() error {
				if err := SeedDemo(app, cmd.OutOrStdout()); err != nil {
					return err
				}
				return seedOntologies(app, cmd.OutOrStdout())
			})
		},
	})
	return root
}

// SeedDemo loads the demo reference data in one transaction, unless
// categories already exist.
func SeedDemo(app core.App, out io.Writer) error {
	existing, err := app.CountRecords("categories")
	if err != nil {
		return err
	}
	if existing > 0 {
		fmt.Fprintf(out, "Reference data already present (%d categories): nothing to do.\n", existing)
		return nil
	}
	err = app.RunInTransaction(func(tx core.App) error {
		for _, name := range demoCategories {
			if err := saveNew(tx, "categories", map[string]any{"name": name, "active": true}); err != nil {
				return err
			}
		}
		for _, c := range demoCenters {
			if err := saveNew(tx, "service_centers", map[string]any{
				"short_name": c.short, "full_name": c.full, "website": c.website, "active": true,
			}); err != nil {
				return err
			}
		}
		for _, p := range demoPIs {
			if err := saveNew(tx, "pis", map[string]any{
				"last_name": p.last, "first_name": p.first, "institute": p.institute,
				"orcid": p.orcid, "active": true, "is_associated_partner": p.partner,
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("loading demo data: %w", err)
	}
	fmt.Fprintf(out, "Loaded %d categories, %d service centres and %d PIs.\n",
		len(demoCategories), len(demoCenters), len(demoPIs))
	return nil
}

func saveNew(app core.App, collection string, data map[string]any) error {
	c, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return err
	}
	record := core.NewRecord(c)
	record.Load(data)
	if err := app.Save(record); err != nil {
		return fmt.Errorf("%s %v: %w", collection, data, err)
	}
	return nil
}

// seedOntologies fills empty EDAM and license tables from the embedded demo
// releases.
func seedOntologies(app core.App, out io.Writer) error {
	if n, err := app.CountRecords("edam_terms"); err != nil {
		return err
	} else if n == 0 {
		raw, _ := demoData.ReadFile("demodata/edam_demo.csv")
		ontology, err := edam.Parse(bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("demo EDAM release: %w", err)
		}
		if ontology.Version == "" {
			ontology.Version = demoEDAMVersion // the CSV export does not name its release
		}
		report, err := edam.Apply(context.Background(), app, ontology, edam.ApplyOptions{})
		if err != nil {
			return fmt.Errorf("loading the demo EDAM terms: %w", err)
		}
		fmt.Fprintf(out, "Loaded %d demo EDAM terms (run 'registry edam sync' for the full ontology).\n", report.Added)
	}
	if n, err := app.CountRecords("licenses"); err != nil {
		return err
	} else if n == 0 {
		raw, _ := demoData.ReadFile("demodata/spdx_licenses.json")
		list, err := licenses.Parse(raw)
		if err != nil {
			return fmt.Errorf("demo license list: %w", err)
		}
		report, err := licenses.Apply(app, list, licenses.ApplyOptions{})
		if err != nil {
			return fmt.Errorf("loading the license list: %w", err)
		}
		fmt.Fprintf(out, "Loaded %d SPDX licenses (list %s).\n", report.Added, report.Version)
	}
	return nil
}
