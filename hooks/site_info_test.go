package hooks_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/hooks"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
)

func TestSiteInfoServesThePublicSettings(t *testing.T) {
	const secret = "a-very-secret-hmac-key-0123456789abcdef"
	app := apptest.New(t, func(c *config.Config) {
		c.Site.Name = "Test Registry"
		c.Contact.Email = "office@example.org"
		c.Contact.Office = "Room 1"
		c.Links.UserGuide = "https://guide.example.org"
		c.Features.Catalogue = false
		c.Submission.DraftTTLDays = 3
		c.Submission.NoResetFields = []string{"logo", "comments"}
		c.Uploads.LogoMaxBytes = 1 << 20
		c.Captcha.HMACKey = secret
		c.SMTP.Password = "smtp-password-that-must-stay"
	})
	srv := testapp.Server(t, app)

	res := testapp.Do(t, srv, http.MethodGet, hooks.SiteInfoPath, nil)
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %q %s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
		t.Errorf("Cache-Control %q", cc)
	}
	var info hooks.SiteInfo
	res.JSON(t, &info)
	want := hooks.SiteInfo{
		Name: "Test Registry",
		URL:  config.Default().Site.URL,
		Contact: hooks.SiteInfoContact{
			Email: "office@example.org", Organisation: config.Default().Contact.Organisation, Office: "Room 1",
		},
		Links: hooks.SiteInfoLinks{
			Website: config.Default().Links.Website, PrivacyPolicy: config.Default().Links.PrivacyPolicy,
			Imprint: config.Default().Links.Imprint, DataProtection: config.Default().Links.DataProtection,
			UserGuide: "https://guide.example.org",
		},
		Features:   hooks.SiteInfoFeatures{Catalogue: false, BiotoolsPrefill: true},
		Submission: hooks.SiteInfoSubmission{DraftTTLDays: 3, NoResetFields: []string{"comments", "logo"}},
		Captcha:    hooks.SiteInfoCaptcha{Enabled: true, ChallengeURL: "/captcha/"},
		Uploads:    hooks.SiteInfoUploads{LogoMaxBytes: 1 << 20},
		Statuses: map[string]string{
			"draft": "Draft", "submitted": "Submitted", "under_review": "Under Review",
			"approved": "Approved", "rejected": "Rejected", "deprecated": "Deprecated",
		},
	}
	if !reflect.DeepEqual(info, want) {
		t.Fatalf("site info\n got %+v\nwant %+v", info, want)
	}
	for _, secretValue := range []string{secret, "smtp-password-that-must-stay", "hmac", "password"} {
		if strings.Contains(strings.ToLower(string(res.Body)), strings.ToLower(secretValue)) {
			t.Errorf("the site info must not contain %q: %s", secretValue, res.Body)
		}
	}
}

func TestSiteInfoWithoutCaptcha(t *testing.T) {
	srv := testapp.Server(t, apptest.NewCore(t)) // hooks without the captcha plugin
	res := testapp.Do(t, srv, http.MethodGet, hooks.SiteInfoPath, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	var info hooks.SiteInfo
	res.JSON(t, &info)
	if info.Captcha.Enabled || info.Captcha.ChallengeURL != "" {
		t.Fatalf("no captcha plugin, no captcha on the pages: %+v", info.Captcha)
	}
	if info.Submission.DraftTTLDays != 7 || len(info.Submission.NoResetFields) != len(config.DefaultNoResetFields) {
		t.Fatalf("defaults: %+v", info.Submission)
	}
	if res := testapp.Do(t, srv, http.MethodPost, hooks.SiteInfoPath, nil); res.Status == http.StatusOK {
		t.Fatalf("the route is read-only: %d", res.Status)
	}
}
