package edam

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
)

// errTooLarge is returned when a source exceeds Config.MaxDownloadBytes.
var errTooLarge = errors.New("the EDAM source is larger than the configured limit")

// countingReader counts bytes and stops with errTooLarge past a limit.
type countingReader struct {
	r     io.Reader
	n     int64
	limit int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n >= c.limit {
		// one byte more tells "exactly the limit" from "over it"
		var probe [1]byte
		for {
			n, err := c.r.Read(probe[:])
			if n > 0 {
				return 0, fmt.Errorf("%w (%s)", errTooLarge, byteSize(c.limit))
			}
			if err != nil {
				return 0, err
			}
		}
	}
	if rest := c.limit - c.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// isRemote reports whether a source is fetched over HTTP rather than read
// from the file system.
func isRemote(source string) bool { return strings.Contains(source, "://") }

// load reads and parses a release from a URL or a file path, returning the
// ontology and the number of bytes read. The version falls back to a
// number in the source's name (EDAM_1.25.csv) for exports that carry none.
func (p *plugin) load(ctx context.Context, source string) (*Ontology, int64, error) {
	body, err := p.open(ctx, source)
	if err != nil {
		return nil, 0, err
	}
	defer body.Close()

	counter := &countingReader{r: body, limit: p.config.MaxDownloadBytes}
	o, err := Parse(counter)
	if err != nil {
		return nil, counter.n, fmt.Errorf("parsing the EDAM release from %s: %w", source, err)
	}
	if o.Version == "" {
		o.Version = releaseVersion(path.Base(source))
	}
	return o, counter.n, nil
}

// open returns the body of source: an HTTP(S) response or a local file.
func (p *plugin) open(ctx context.Context, source string) (io.ReadCloser, error) {
	if filePath, ok := strings.CutPrefix(source, "file://"); ok {
		source = filePath
	}
	if !isRemote(source) {
		f, err := os.Open(source)
		if err != nil {
			return nil, fmt.Errorf("opening the EDAM source: %w", err)
		}
		return f, nil
	}
	if !strings.HasPrefix(source, "http://") && !strings.HasPrefix(source, "https://") {
		return nil, fmt.Errorf("the EDAM source %q is neither an http(s) URL nor a file path", source)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, source, nil)
	if err != nil {
		return nil, fmt.Errorf("the EDAM source URL %q is invalid: %w", source, err)
	}
	req.Header.Set("User-Agent", p.userAgent())
	req.Header.Set("Accept", "application/rdf+xml, application/xml;q=0.9, text/csv;q=0.8, */*;q=0.5")
	res, err := p.config.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("downloading the EDAM release from %s: %w", source, err)
	}
	if res.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		return nil, fmt.Errorf("downloading the EDAM release from %s: the server answered %s", source, res.Status)
	}
	return res.Body, nil
}

// userAgent names the registry to the EDAM server, with a link to the
// installation (or the project) so its operators know who calls.
func (p *plugin) userAgent() string {
	return "denbi-service-registry (+" + p.config.SiteURL + ")"
}
