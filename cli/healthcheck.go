package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

// DefaultHealthcheckURL is the readiness endpoint of a local server.
const DefaultHealthcheckURL = "http://127.0.0.1:8090/health/ready/"

// NewHealthcheckCommand builds "registry healthcheck [--url URL]": exit 0
// when the server reports ready. Container images have no curl, so Docker's
// HEALTHCHECK and systemd use this. It opens no database and needs no
// configuration, so main runs it before anything else starts.
func NewHealthcheckCommand() *cobra.Command {
	var url string
	var timeout time.Duration
	var printBody bool
	cmd := &cobra.Command{
		Use:          "healthcheck",
		Short:        "Exit 0 when the registry at --url is ready (for Docker and systemd)",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return checkReady(cmd.Context(), url, timeout, printBody, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&url, "url", DefaultHealthcheckURL, "readiness URL to query")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "give up after this long")
	cmd.Flags().BoolVar(&printBody, "print-body", false, "print the response body instead of \"ready\" (e.g. /health/live/ names the version)")
	return cmd
}

func checkReady(ctx context.Context, url string, timeout time.Duration, printBody bool, out io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("invalid --url %q: %w", url, err)
	}
	client := &http.Client{
		Timeout: timeout,
		// a redirect (e.g. to https) is not readiness
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("not ready: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready: %s answered %s", url, resp.Status)
	}
	if printBody {
		fmt.Fprintln(out, string(body))
	} else {
		fmt.Fprintln(out, "ready")
	}
	return nil
}
