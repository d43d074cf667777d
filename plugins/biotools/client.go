package biotools

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// maxResponseBytes bounds one bio.tools answer. Real tool records are
// 5-30 KB; the raw copy is stored in a 4 MiB JSON field.
const maxResponseBytes = 4 << 20

// idPattern is what a bio.tools id may look like (biotoolsSchema allows
// letters, digits, ".", "-" and "_"). Anything else is never sent upstream.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,200}$`)

// ValidID reports whether id can be a bio.tools id.
func ValidID(id string) bool {
	return idPattern.MatchString(id) && strings.Trim(id, ".") != ""
}

// ErrNotFound is matched (errors.Is) by errors for ids bio.tools does not know.
var ErrNotFound = errors.New("bio.tools has no such tool")

// ErrorKind classifies a failed request.
type ErrorKind int

// Kinds of Error.
const (
	// KindUnavailable: bio.tools did not answer usefully (5xx, 429, timeout,
	// network); worth retrying later.
	KindUnavailable ErrorKind = iota
	// KindNotFound: HTTP 404.
	KindNotFound
	// KindInvalid: an answer that is not a tool record (bad JSON, too large,
	// another 4xx status), or an id that cannot be a bio.tools id.
	KindInvalid
)

// Error is a failed bio.tools request. Its message is meant for people: it
// ends up in biotools_records.sync_error.
type Error struct {
	Kind     ErrorKind
	ID       string // the requested tool id (empty for searches)
	Status   int    // HTTP status, 0 when there was no answer
	Attempts int
	Err      error // the underlying cause
}

// Error describes the failure in a sentence an operator can act on.
func (e *Error) Error() string {
	subject := "bio.tools"
	if e.ID != "" {
		subject = fmt.Sprintf("bio.tools tool %q", e.ID)
	}
	tries := ""
	if e.Attempts > 1 {
		tries = fmt.Sprintf(" (%d attempts)", e.Attempts)
	}
	switch {
	case e.Kind == KindNotFound:
		return fmt.Sprintf("%s does not exist (HTTP 404): check the bio.tools link.", subject)
	case e.Status != 0 && e.Kind == KindUnavailable:
		return fmt.Sprintf("%s: bio.tools answered HTTP %d %s%s; it will be retried.", subject, e.Status, http.StatusText(e.Status), tries)
	case e.Status != 0:
		return fmt.Sprintf("%s: bio.tools answered HTTP %d %s.", subject, e.Status, http.StatusText(e.Status))
	case e.Kind == KindUnavailable:
		return fmt.Sprintf("%s: bio.tools could not be reached%s: %v; it will be retried.", subject, tries, e.Err)
	}
	return fmt.Sprintf("%s: %v", subject, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotFound) true for 404s.
func (e *Error) Is(target error) bool { return target == ErrNotFound && e.Kind == KindNotFound }

// Client talks to the bio.tools API politely: one global request rate, a
// User-Agent naming the registry, a timeout and a size limit on every
// request, and retries with exponential backoff on 5xx answers and
// timeouts (never on 404). It is safe for concurrent use.
type Client struct {
	apiURL      string
	http        HTTPClient
	userAgent   string
	timeout     time.Duration
	maxAttempts int
	backoff     time.Duration
	limiter     *limiter
}

// newClient builds the client from a Config with defaults filled in.
func newClient(c Config) *Client {
	return &Client{
		apiURL:      strings.TrimRight(c.APIURL, "/"),
		http:        c.HTTPClient,
		userAgent:   c.userAgent(),
		timeout:     c.Timeout,
		maxAttempts: c.MaxAttempts,
		backoff:     c.RetryBackoff,
		limiter:     newLimiter(c.RequestsPerSecond),
	}
}

// NewClient returns a client for config; zero fields get the defaults
// documented on Config.
func NewClient(config Config) *Client {
	config.setDefaults()
	return newClient(config)
}

// Tool fetches and parses {api_url}/tool/{id}/?format=json.
func (c *Client) Tool(ctx context.Context, id string) (*Tool, error) {
	return c.tool(ctx, id, c.maxAttempts)
}

// tool is Tool with a given number of attempts (the prefill route, where a
// person waits, tries once).
func (c *Client) tool(ctx context.Context, id string, attempts int) (*Tool, error) {
	if !ValidID(id) {
		return nil, &Error{Kind: KindInvalid, ID: id, Err: errors.New("this is not a valid bio.tools id")}
	}
	body, err := c.get(ctx, c.apiURL+"/tool/"+url.PathEscape(id)+"/?format=json", id, attempts)
	if err != nil {
		return nil, err
	}
	tool, err := Parse(body)
	if err != nil {
		return nil, &Error{Kind: KindInvalid, ID: id, Err: err}
	}
	return tool, nil
}

// Search runs {api_url}/tool/?q=...&format=json and returns the tools of
// the first page. Entries that are not tool records are skipped.
func (c *Client) Search(ctx context.Context, query string) ([]*Tool, error) {
	q := url.Values{"q": {query}, "format": {"json"}}
	body, err := c.get(ctx, c.apiURL+"/tool/?"+q.Encode(), "", c.maxAttempts)
	if err != nil {
		return nil, err
	}
	doc, err := decodeObject(body)
	if err != nil {
		return nil, &Error{Kind: KindInvalid, Err: err}
	}
	var tools []*Tool
	for _, item := range objects(doc["list"]) {
		tools = append(tools, parseTool(item))
	}
	return tools, nil
}

// get sends a GET with retries and returns the body of a 200 answer.
func (c *Client) get(ctx context.Context, target, id string, attempts int) ([]byte, error) {
	if attempts < 1 {
		attempts = 1
	}
	var last *Error
	for attempt := 1; attempt <= attempts; attempt++ {
		if attempt > 1 {
			if err := sleep(ctx, c.backoff<<(attempt-2)); err != nil {
				break
			}
		}
		if err := c.limiter.wait(ctx); err != nil {
			if last == nil {
				last = &Error{Kind: KindUnavailable, ID: id, Err: err}
			}
			break
		}
		body, err := c.getOnce(ctx, target, id)
		if err == nil {
			return body, nil
		}
		last = err
		last.Attempts = attempt
		if last.Kind != KindUnavailable || ctx.Err() != nil {
			break
		}
	}
	return nil, last
}

// getOnce sends one GET bounded by the client's timeout, body included.
func (c *Client) getOnce(parent context.Context, target, id string) ([]byte, *Error) {
	ctx, cancel := context.WithTimeout(parent, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, &Error{Kind: KindInvalid, ID: id, Err: err}
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return nil, &Error{Kind: KindUnavailable, ID: id, Err: describeTransportError(parent, err, c.timeout)}
	}
	defer res.Body.Close()

	switch {
	case res.StatusCode == http.StatusOK:
	case res.StatusCode == http.StatusNotFound:
		return nil, &Error{Kind: KindNotFound, ID: id, Status: res.StatusCode}
	case res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusRequestTimeout:
		return nil, &Error{Kind: KindUnavailable, ID: id, Status: res.StatusCode}
	default:
		return nil, &Error{Kind: KindInvalid, ID: id, Status: res.StatusCode}
	}

	body, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes+1))
	if err != nil {
		return nil, &Error{Kind: KindUnavailable, ID: id, Err: describeTransportError(parent, err, c.timeout)}
	}
	if len(body) > maxResponseBytes {
		return nil, &Error{Kind: KindInvalid, ID: id, Err: fmt.Errorf("the answer is larger than %d MiB", maxResponseBytes>>20)}
	}
	return body, nil
}

// describeTransportError turns timeouts into a plain sentence; other
// errors keep their text (which names the host and the cause). When the
// caller's context ended first, that is the reason, not bio.tools.
func describeTransportError(parent context.Context, err error, timeout time.Duration) error {
	if cause := parent.Err(); cause != nil {
		return fmt.Errorf("stopped waiting for an answer (%v)", cause)
	}
	var timeoutErr interface{ Timeout() bool }
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &timeoutErr) && timeoutErr.Timeout()) {
		return fmt.Errorf("no answer within %s", timeout)
	}
	return err
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// limiter spaces requests evenly: at most one every interval, across all
// goroutines, without bursts. It is the registry's promise of politeness
// to bio.tools, which documents no rate limit of its own.
type limiter struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func newLimiter(perSecond float64) *limiter {
	return &limiter{interval: time.Duration(float64(time.Second) / perSecond)}
}

// wait blocks until the caller's slot.
func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := time.Now()
	slot := l.next
	if slot.Before(now) {
		slot = now
	}
	l.next = slot.Add(l.interval)
	l.mu.Unlock()
	if d := slot.Sub(now); d > 0 {
		return sleep(ctx, d)
	}
	return ctx.Err()
}
