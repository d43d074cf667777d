package cli

import (
	"fmt"
	"io"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

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
		Short: "Load demo categories, service centres and PIs (only into an empty registry)",
		Long: "Loads a small demo set of categories, service centres and principal investigators so a\n" +
			"fresh installation shows a usable form. Does nothing when categories already exist.\n" +
			"Production installations import their real reference data instead.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return fmt.Errorf("applying migrations: %w", err)
			}
			return SeedDemo(app, cmd.OutOrStdout())
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
