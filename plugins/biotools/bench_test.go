package biotools_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/biotools"
	"github.com/spf13/cobra"
)

// BenchmarkDailySync syncs 500 linked submissions against a local fake
// bio.tools that answers after 50 ms, and reports the wall time, the most
// requests in flight at once and the most requests started within one
// second. "defaults" is the shipped configuration (4 workers, 5 requests/s);
// it takes about 100 s and is skipped with -short.
func BenchmarkDailySync(b *testing.B) {
	for _, tc := range []struct {
		name string
		cfg  biotools.Config
	}{
		{"defaults", biotools.Config{}},
		{"unthrottled-4-workers", biotools.Config{RequestsPerSecond: 1e6}},
		{"unthrottled-16-workers", biotools.Config{RequestsPerSecond: 1e6, Concurrency: 16}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			if tc.name == "defaults" && testing.Short() {
				b.Skip("takes about 100 s")
			}
			const submissions = 500
			app := apptest.NewCore(b)
			fake := newFake(b)
			ref := testapp.Seed(b, app)
			for i := range submissions {
				testapp.CreateSubmission(b, app, ref, "write", map[string]any{
					"biotools_url": "https://bio.tools/demotool", "service_name": fmt.Sprintf("Service %d", i),
				})
			}
			cfg := tc.cfg
			cfg.APIURL = fake.URL + "/api"
			p, err := biotools.Register(app, &cobra.Command{}, cfg)
			if err != nil {
				b.Fatal(err)
			}
			fake.mu.Lock()
			fake.latency = 50 * time.Millisecond
			fake.mu.Unlock()

			b.ResetTimer()
			var wall time.Duration
			for range b.N {
				fake.mu.Lock()
				fake.started = nil
				fake.mu.Unlock()
				fake.maxInflight.Store(0)
				started := time.Now()
				report, err := p.SyncAll(context.Background(), nil)
				wall = time.Since(started)
				if err != nil || report.OK != submissions {
					b.Fatalf("%+v %v", report, err)
				}
			}
			b.StopTimer()
			b.ReportMetric(wall.Seconds(), "wall-s")
			b.ReportMetric(float64(fake.maxInflight.Load()), "max-in-flight")
			b.ReportMetric(float64(peakPerSecond(fake)), "peak-req/s")
		})
	}
}

// peakPerSecond is the most requests the fake saw start within one second.
func peakPerSecond(f *fakeBiotools) int {
	f.mu.Lock()
	times := append([]time.Time(nil), f.started...)
	f.mu.Unlock()
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	peak, lo := 0, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) >= time.Second {
			lo++
		}
		peak = max(peak, hi-lo+1)
	}
	return peak
}

// BenchmarkSaveWhileBiotoolsHangs measures a submission save that changes
// the bio.tools link while bio.tools never answers: the save only queues
// the sync.
func BenchmarkSaveWhileBiotoolsHangs(b *testing.B) {
	e := newEnv(b, func(c *biotools.Config) { c.Timeout = 2 * time.Second })
	e.fake.on("demotool", e.fake.hang)
	e.fake.on("other", e.fake.hang)
	submission := e.submission(b, "https://bio.tools/demotool")
	links := []string{"https://bio.tools/other", "https://bio.tools/demotool"}
	i := 0
	for b.Loop() {
		e.setLink(b, submission, links[i%2])
		i++
	}
}
