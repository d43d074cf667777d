package verify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/browsertest"
	"github.com/denbi/service-registry/internal/verify"
)

// TestEveryCheckPassesOnARealDeployment runs the whole checklist, writes
// included, against the real binary with the demo data: every check
// passes, except the HTTPS one, which cannot apply to plain HTTP. The
// command exits 0.
func TestEveryCheckPassesOnARealDeployment(t *testing.T) {
	srv := browsertest.StartServer(t, []string{"REGISTRY_EDAM__SYNC_ON_START=false", "REGISTRY_LICENSES__SYNC_ON_START=false"})
	srv.CLI(t, "seed", "demo")
	out := strings.TrimSpace(srv.CLI(t, "adminkey", "create", "--label", "verify", "--scope", "full"))
	key := out[strings.LastIndex(out, "\n")+1:]

	report := verify.Run(context.Background(), verify.Options{URL: srv.URL, AdminKey: key, Write: true})
	for _, c := range report.Checks {
		switch {
		case c.Status == verify.Pass:
		case c.Status == verify.Skip && strings.HasPrefix(c.Name, "security: HSTS"):
		default:
			t.Errorf("%s", c)
		}
	}
	if !report.OK() || len(report.Checks) < 20 {
		t.Fatalf("%s", report.Summary())
	}

	// the command fails the test on a non-zero exit
	if got := srv.CLI(t, "verify", "--url", srv.URL, "--admin-key", key); !strings.Contains(got, " 0 failed") {
		t.Fatalf("registry verify:\n%s", got)
	}
}
