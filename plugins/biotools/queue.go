package biotools

import (
	"context"
	"errors"
	"time"
)

// backgroundSyncTimeout bounds one queued sync, retries included.
const backgroundSyncTimeout = 2 * time.Minute

// Enqueue schedules a background sync of one submission and returns at
// once. A submission already waiting is not queued twice; one being synced
// is synced once more afterwards, so the last saved link always wins.
func (p *Plugin) Enqueue(submissionID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped || p.pending[submissionID] {
		return
	}
	if p.running[submissionID] {
		if !p.again[submissionID] {
			p.again[submissionID] = true
			p.outstanding++
		}
		return
	}
	select {
	case p.queue <- submissionID:
		p.pending[submissionID] = true
		p.outstanding++
	default:
		p.app.Logger().Warn("bio.tools sync queue is full; the daily sync will pick the submission up",
			"submission", submissionID)
	}
}

// Wait blocks until every queued and running background sync has
// finished (or the plugin stopped). Meant for tests and the CLI.
func (p *Plugin) Wait() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.outstanding > 0 && !p.stopped {
		p.idle.Wait()
	}
}

// startWorkers starts Concurrency workers for the queue.
func (p *Plugin) startWorkers() {
	for range p.config.Concurrency {
		p.workers.Add(1)
		go p.work()
	}
}

// work syncs queued submissions until the plugin stops.
func (p *Plugin) work() {
	defer p.workers.Done()
	for {
		select {
		case <-p.ctx.Done():
			return
		case id := <-p.queue:
			p.mu.Lock()
			delete(p.pending, id)
			p.running[id] = true
			p.mu.Unlock()

			p.syncQueued(id)

			p.mu.Lock()
			delete(p.running, id)
			requeue := p.again[id]
			delete(p.again, id)
			p.outstanding--
			p.mu.Unlock()
			if requeue {
				p.requeue(id)
			}
			p.mu.Lock()
			if p.outstanding <= 0 {
				p.idle.Broadcast()
			}
			p.mu.Unlock()
		}
	}
}

// requeue puts back a submission saved again while it was being synced.
// Its outstanding count was taken when it was marked.
func (p *Plugin) requeue(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		p.outstanding--
		return
	}
	if p.pending[id] {
		p.outstanding--
		return
	}
	select {
	case p.queue <- id:
		p.pending[id] = true
	default:
		p.outstanding--
	}
}

// syncQueued runs one background sync and logs its outcome.
func (p *Plugin) syncQueued(id string) {
	ctx, cancel := context.WithTimeout(p.ctx, backgroundSyncTimeout)
	defer cancel()
	result, err := p.SyncSubmission(ctx, id)
	switch {
	case errors.Is(err, context.Canceled) && p.ctx.Err() != nil:
		// shutting down; the daily sync will retry
	case err != nil:
		p.app.Logger().Warn("bio.tools sync failed", "submission", id, "biotools_id", result.BiotoolsID, "error", err.Error())
	default:
		p.app.Logger().Info("bio.tools sync finished", "submission", id, "biotools_id", result.BiotoolsID,
			"created", result.Created, "removed", result.Removed)
	}
}

// stop ends the workers: queued syncs are dropped (the daily sync retries
// them) and running ones are cancelled and waited for.
func (p *Plugin) stop() {
	p.mu.Lock()
	p.stopped = true
	p.idle.Broadcast()
	p.mu.Unlock()
	p.cancel()
	p.workers.Wait()
	p.syncingAll.Lock() // wait for a running daily sync to notice the cancellation
	p.syncingAll.Unlock()
}
