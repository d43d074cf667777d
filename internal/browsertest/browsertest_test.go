package browsertest_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/denbi/service-registry/internal/browsertest"
)

func TestHomePageInChromium(t *testing.T) {
	srv := browsertest.StartServer(t, nil)
	page := browsertest.NewPage(t)
	page.Run(t, chromedp.Navigate(srv.URL+"/"))
	heading := browsertest.Value(t, page, chromedp.Text(chromedp.CSS("h1")))
	if !strings.Contains(heading, "Service Registry") {
		t.Fatalf("heading %q", heading)
	}
	page.Screenshot(t, "home-desktop")
	page.SetViewport(t, 375, 812)
	page.Screenshot(t, "home-375")
	page.AssertClean(t, srv.URL)
	if len(page.Requests()) < 2 {
		t.Fatalf("the page and its stylesheet must have been requested: %v", page.Requests())
	}

	out := srv.CLI(t, "adminkey", "create", "--label", "browser", "--scope", "read")
	if !strings.Contains(out, "Created admin key") {
		t.Fatalf("CLI against the server's data: %s", out)
	}
}
