package loadgen

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Result is the outcome of one measured workload.
type Result struct {
	// Latencies of every finished request, failed ones included.
	Latencies []time.Duration
	Elapsed   time.Duration
	Errors    int
	// FirstError is the first failure, if any.
	FirstError error
}

// Rate is the number of finished requests per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(len(r.Latencies)) / r.Elapsed.Seconds()
}

// Percentile returns the latency below which the fraction p (0..1) of the
// requests finished.
func (r Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	sorted := slices.Clone(r.Latencies)
	slices.Sort(sorted)
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// Add joins two measurements of the same workload (alternating rounds).
func (r Result) Add(o Result) Result {
	first := r.FirstError
	if first == nil {
		first = o.FirstError
	}
	return Result{Latencies: append(slices.Clone(r.Latencies), o.Latencies...), Elapsed: r.Elapsed + o.Elapsed,
		Errors: r.Errors + o.Errors, FirstError: first}
}

// Run calls fn from n workers for d and measures every call; i counts the
// calls across workers. A returned error counts as a failed request.
func Run(n int, d time.Duration, fn func(i int) error) Result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var (
		mu      sync.Mutex
		out     Result
		counter atomic.Int64
		wg      sync.WaitGroup
	)
	start := time.Now()
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := make([]time.Duration, 0, 1024)
			var errs int
			var first error
			for ctx.Err() == nil {
				t0 := time.Now()
				if err := fn(int(counter.Add(1))); err != nil {
					errs++
					if first == nil {
						first = err
					}
				}
				own = append(own, time.Since(t0))
			}
			mu.Lock()
			out.Latencies = append(out.Latencies, own...)
			out.Errors += errs
			if out.FirstError == nil {
				out.FirstError = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.Elapsed = time.Since(start)
	return out
}

// Get returns a Run function that fetches url and requires a 200; it
// reads the whole answer and reports its size to size, when set.
func Get(client *http.Client, url string, size *atomic.Int64) func(int) error {
	return func(int) error {
		res, err := client.Get(url)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		n, err := io.Copy(io.Discard, io.LimitReader(res.Body, MaxBody))
		if err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", url, res.Status)
		}
		if size != nil {
			size.Store(n)
		}
		return nil
	}
}
