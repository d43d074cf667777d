package licenses

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

// maxSourceBytes bounds what a sync reads: the real list is about 250 KB, so
// 16 MiB leaves room for growth and still stops a runaway download.
const maxSourceBytes = 16 << 20

// isURL reports whether a source is fetched over HTTP rather than read from
// a file.
func isURL(source string) bool {
	return strings.HasPrefix(source, "https://") || strings.HasPrefix(source, "http://")
}

// load returns the bytes of source, a URL or a file path.
func (p *plugin) load(ctx context.Context, source string) ([]byte, error) {
	if source == "" {
		return nil, fmt.Errorf("no SPDX source configured (licenses.source_url)")
	}
	if !isURL(source) {
		return readFile(strings.TrimPrefix(source, "file://"))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, source, nil)
	if err != nil {
		return nil, fmt.Errorf("invalid SPDX source URL %q: %w", source, err)
	}
	req.Header.Set("User-Agent", p.config.UserAgent)
	req.Header.Set("Accept", "application/json")
	res, err := p.config.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("downloading the SPDX license list from %s: %w", source, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("downloading the SPDX license list from %s: HTTP %s", source, res.Status)
	}
	data, err := readLimited(res.Body)
	if err != nil {
		return nil, fmt.Errorf("downloading the SPDX license list from %s: %w", source, err)
	}
	return data, nil
}

// readFile reads a local licenses.json with the same size limit as downloads.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the SPDX license list: %w", err)
	}
	defer f.Close()
	data, err := readLimited(f)
	if err != nil {
		return nil, fmt.Errorf("reading the SPDX license list from %s: %w", path, err)
	}
	return data, nil
}

// readLimited reads at most maxSourceBytes and fails beyond that.
func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSourceBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSourceBytes {
		return nil, fmt.Errorf("the list is larger than %d MiB", maxSourceBytes>>20)
	}
	return data, nil
}
