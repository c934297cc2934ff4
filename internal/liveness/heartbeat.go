package liveness

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/bookkeeping"
)

// Config configures a worker's Heartbeat. Zero values take the defaults.
type Config struct {
	Pool      *pgxpool.Pool // the POOLER's; every statement is one short transaction
	ClientID  string        // the worker's River client id; default NewClientID()
	Interval  time.Duration // how often the worker heartbeats; default 5s
	DeadAfter time.Duration // no heartbeat for this long is death; default 4 × Interval
	Logger    *slog.Logger
	// Tables makes steady_workers and says where it lives (River's tables too); default: the
	// public schema through Pool.
	Tables *bookkeeping.Tables
	// OnFenced is called once, from the heartbeat's goroutine, when the worker learns that the
	// others declared it dead (it was paused or cut off past DeadAfter) and gave its jobs away.
	// The worker must stop working them at once: `steady worker` exits. Default: log only.
	OnFenced func(error)
}

// Interval and DeadAfter bounds: heartbeats faster than 100ms are load, and a bound under three
// heartbeats declares a worker dead for one late statement.
const (
	MinInterval  = 100 * time.Millisecond
	MaxInterval  = time.Minute
	MinDeadBeats = 3
	MaxDeadAfter = time.Hour
)

func (c Config) withDefaults() Config {
	c.ClientID = cmp.Or(c.ClientID, NewClientID())
	c.Interval = cmp.Or(c.Interval, 5*time.Second)
	c.DeadAfter = cmp.Or(c.DeadAfter, 4*c.Interval)
	c.Logger = cmp.Or(c.Logger, slog.Default())
	return c
}

// Validate reports the first setting that cannot work, naming it.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.Interval < MinInterval || c.Interval > MaxInterval:
		return fmt.Errorf("heartbeat interval %s: want %s to %s", c.Interval, MinInterval, MaxInterval)
	case c.DeadAfter < MinDeadBeats*c.Interval || c.DeadAfter > MaxDeadAfter:
		return fmt.Errorf("dead-after bound %s: want at least %d heartbeat intervals (%s) and at most %s",
			c.DeadAfter, MinDeadBeats, MinDeadBeats*c.Interval, MaxDeadAfter)
	case len(c.ClientID) > 100:
		return fmt.Errorf("client id %q: at most 100 characters", c.ClientID)
	}
	return nil
}

// ErrFenced is what OnFenced receives (wrapped with what happened).
var ErrFenced = errors.New("this worker was declared dead by the others and its jobs were given to them")

// Heartbeat registers a worker, heartbeats for it and, on each beat, declares the silent
// workers dead and gives their jobs back (see the package doc).
type Heartbeat struct {
	cfg     Config
	schema  bookkeeping.Schema
	host    string
	hostKey string

	mu         sync.Mutex
	lastOK     time.Time // local clock: when the last heartbeat succeeded
	lastErr    error
	alive      int       // live workers seen by the last heartbeat
	quietUntil time.Time // no rescue before this (after this worker's own heartbeats failed)
	failing    bool
	fenced     error
	fenceOnce  sync.Once

	stop chan struct{}
	done chan struct{}
	poke chan struct{} // Gate asks for a heartbeat now
}

// New validates cfg.
func New(cfg Config) (*Heartbeat, error) {
	if cfg.Pool == nil {
		return nil, errors.New("liveness: Config.Pool (the POOLER) is required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if cfg.Tables == nil {
		t, err := bookkeeping.New(bookkeeping.Config{Pool: cfg.Pool, Logger: cfg.Logger})
		if err != nil {
			return nil, fmt.Errorf("liveness: %w", err)
		}
		cfg.Tables = t
	}
	host, _ := os.Hostname()
	return &Heartbeat{cfg: cfg, schema: cfg.Tables.Schema(), host: host, hostKey: hostKey(), poke: make(chan struct{}, 1)}, nil
}

// ClientID is the id the worker's River client must use.
func (h *Heartbeat) ClientID() string { return h.cfg.ClientID }

// Interval is how often this worker heartbeats; DeadAfter its bound.
func (h *Heartbeat) Interval() time.Duration  { return h.cfg.Interval }
func (h *Heartbeat) DeadAfter() time.Duration { return h.cfg.DeadAfter }

// Start creates steady_workers if needed and registers the worker; then, before returning, it
// declares dead its previous incarnations on this machine and the workers silent past their
// bound and gives their jobs back, so a restarted worker (alone or not) takes over at once. It
// must return before the worker's River client starts: a job attempted by a client without a
// row is a dead client's.
func (h *Heartbeat) Start(ctx context.Context) error {
	if err := h.cfg.Tables.Ensure(ctx); err != nil {
		return err
	}
	// Previous incarnations: same process table, pid gone. Read before registering.
	var gone []int32
	if h.hostKey != "" {
		rows, err := h.cfg.Pool.Query(ctx, h.schema.SQL(`SELECT pid FROM steady_workers WHERE host_key = $1 AND dead_at IS NULL`), h.hostKey)
		if err != nil {
			return fmt.Errorf("register worker: %w", err)
		}
		pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			return fmt.Errorf("register worker: %w", err)
		}
		for _, pid := range pids {
			if int(pid) != os.Getpid() && processGone(int(pid)) {
				gone = append(gone, pid)
			}
		}
	}
	sent := time.Now()
	_, err := h.cfg.Pool.Exec(ctx, h.schema.SQL(`INSERT INTO steady_workers (id, host, pid, host_key, heartbeat_every, dead_after)
		VALUES ($1, $2, $3, $4, make_interval(secs => $5), make_interval(secs => $6))`),
		h.cfg.ClientID, h.host, os.Getpid(), h.hostKey, h.cfg.Interval.Seconds(), h.cfg.DeadAfter.Seconds())
	if err != nil {
		return fmt.Errorf("register worker %s: %w", h.cfg.ClientID, err)
	}
	h.mu.Lock()
	h.lastOK, h.alive = sent, 1
	h.mu.Unlock()
	h.cfg.Logger.Info("worker registered", slog.String("client_id", h.cfg.ClientID),
		slog.String("heartbeat_every", h.cfg.Interval.String()), slog.String("dead_after", h.cfg.DeadAfter.String()))
	h.rescue(ctx, gone)
	h.stop, h.done = make(chan struct{}), make(chan struct{})
	go h.loop()
	return nil
}

// Stop ends the heartbeats and deletes the worker's row: a graceful stop is not a death. Call
// it after the River client has stopped.
func (h *Heartbeat) Stop(ctx context.Context) error {
	if h.stop == nil {
		return nil
	}
	close(h.stop)
	<-h.done
	h.stop = nil
	if h.Fenced() != nil {
		return nil // its row tells doctor when and why it was declared dead
	}
	if _, err := h.cfg.Pool.Exec(own(ctx), h.schema.SQL(`DELETE FROM steady_workers WHERE id = $1`), h.cfg.ClientID); err != nil {
		return fmt.Errorf("deregister worker %s: %w", h.cfg.ClientID, err)
	}
	h.mu.Lock()
	h.lastOK = time.Time{} // not registered: Gate lets statements go, as before Start
	h.mu.Unlock()
	h.cfg.Logger.Info("worker deregistered", slog.String("client_id", h.cfg.ClientID))
	return nil
}

func (h *Heartbeat) loop() {
	defer close(h.done)
	tick := time.NewTicker(h.cfg.Interval)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-h.stop:
			return
		case <-tick.C:
		case <-h.poke:
			// Every statement Gate refuses pokes: while beats fail fast (the server refuses
			// connections), they would follow the traffic instead of the interval.
			if time.Since(last) < h.cfg.Interval/4 {
				continue
			}
		}
		last = time.Now()
		if h.beat() {
			return // fenced: nothing more to do
		}
	}
}

// beat heartbeats once and then rescues; it reports whether the worker was fenced.
func (h *Heartbeat) beat() bool {
	ctx, cancel := context.WithTimeout(own(context.Background()), h.cfg.Interval)
	defer cancel()
	var alive int
	// The server stamps heartbeat_at when the statement starts; a reply can come up to an
	// interval later. The others judge by the stamp, so the worker's own clock counts from the
	// moment it sent the heartbeat, not from the reply.
	sent := time.Now()
	err := h.cfg.Pool.QueryRow(ctx, h.schema.SQL(`UPDATE steady_workers SET heartbeat_at = now()
		WHERE id = $1 AND dead_at IS NULL
		RETURNING (SELECT count(*) FROM steady_workers w WHERE `+aliveSQL+` OR w.id = $1)`), h.cfg.ClientID).Scan(&alive)
	if errors.Is(err, pgx.ErrNoRows) || missingTable(err) {
		h.fence(ctx)
		return true
	}
	h.mu.Lock()
	if err != nil {
		if !h.failing {
			h.cfg.Logger.Warn("heartbeat failed; other workers will declare this one dead if it lasts", slog.Any("error", err),
				slog.String("dead_after", h.cfg.DeadAfter.String()))
		}
		h.failing, h.lastErr = true, err
		h.mu.Unlock()
		return false
	}
	if h.failing {
		// Whatever cut this worker off may have cut the others off too. Silent long enough for
		// their rows to look dead because of it, they get a full bound to heartbeat again.
		silent := time.Since(h.lastOK)
		if silent+h.cfg.Interval >= h.cfg.DeadAfter {
			h.quietUntil = time.Now().Add(h.cfg.DeadAfter)
		}
		h.cfg.Logger.Info("heartbeat works again", slog.String("silent_for", silent.Round(time.Millisecond).String()))
	}
	h.failing, h.lastErr, h.lastOK, h.alive = false, nil, sent, alive
	quiet := time.Now().Before(h.quietUntil)
	h.mu.Unlock()
	if !quiet {
		rctx, rcancel := context.WithTimeout(own(context.Background()), h.cfg.Interval)
		defer rcancel()
		h.rescue(rctx, nil)
	}
	return false
}

// ErrHeartbeatOverdue is the error of a statement Gate held back.
var ErrHeartbeatOverdue = errors.New("this worker's heartbeat is overdue: the others may have declared it dead")

// ownStatement marks the context of the heartbeat's own statements, which Gate lets through.
type ownStatement struct{}

func own(ctx context.Context) context.Context { return context.WithValue(ctx, ownStatement{}, true) }

// Gate holds back every statement of the worker's, other than the heartbeat's own, while the
// others may have declared it dead: it was fenced, or by its own clock its last heartbeat is
// older than the bound less one interval (it was paused, or cut off). Set it on the pool that
// River uses (dbconn.Pool.SetGate). River checks only that a job is running when it records an
// attempt's outcome, not whose attempt is running: without the gate, a worker paused past its
// bound with an outcome waiting in River's batch writes it when it wakes, over the state of
// the job's new attempt on a live worker. Gate asks for a heartbeat at once, and fails the
// statement (River retries it) until a heartbeat succeeds; a heartbeat that finds the worker
// dead fences it instead. Before Start and after Stop, statements go.
//
// The pool asks when a statement takes a connection, so the gate narrows the window rather
// than closing it: a statement that took its connection just before a pause, or one inside a
// transaction begun before it, is sent when the worker wakes. A transaction that records a
// job's outcome itself calls HoldAlive first.
func (h *Heartbeat) Gate(ctx context.Context) error {
	if ctx.Value(ownStatement{}) != nil {
		return nil
	}
	h.mu.Lock()
	fenced, last := h.fenced, h.lastOK
	h.mu.Unlock()
	switch {
	case fenced != nil:
		return fenced
	case last.IsZero():
		return nil
	}
	// The monotonic clock stops while the machine is suspended; the wall clock does not (and
	// may jump, which costs at most one early heartbeat).
	silent := max(time.Since(last), time.Now().Round(0).Sub(last.Round(0)))
	if silent > h.cfg.DeadAfter-h.cfg.Interval {
		select {
		case h.poke <- struct{}{}:
		default:
		}
		return fmt.Errorf("%w (last heartbeat %s ago, bound %s): statements wait for the next one",
			ErrHeartbeatOverdue, silent.Round(time.Millisecond), h.cfg.DeadAfter)
	}
	return nil
}

// HoldAlive, inside tx, checks that the others have not declared this worker dead and keeps
// them from doing so until tx ends (a share lock on its row, which their marking must wait
// for). A transaction that records a job's outcome itself calls it first: begun before a
// pause, it would otherwise land after the job was given to another worker. It returns an
// error wrapping ErrFenced, and fences the worker, when the row is dead or gone.
func (h *Heartbeat) HoldAlive(ctx context.Context, tx pgx.Tx) error {
	var one int
	err := tx.QueryRow(ctx, h.schema.SQL(`SELECT 1 FROM steady_workers WHERE id = $1 AND dead_at IS NULL FOR SHARE`), h.cfg.ClientID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		cause := fmt.Errorf("%w (worker %s: found dead by a job recording its outcome)", ErrFenced, h.cfg.ClientID)
		h.Fence(cause)
		return cause
	}
	if err != nil {
		return fmt.Errorf("check that worker %s is alive: %w", h.cfg.ClientID, err)
	}
	return nil
}

// fence reads why the worker was declared dead and fences it.
func (h *Heartbeat) fence(ctx context.Context) {
	reason := "its row is gone"
	var deadAt *time.Time
	var why *string
	if err := h.cfg.Pool.QueryRow(ctx, h.schema.SQL(`SELECT dead_at, dead_reason FROM steady_workers WHERE id = $1`), h.cfg.ClientID).Scan(&deadAt, &why); err == nil && deadAt != nil {
		reason = fmt.Sprintf("declared dead at %s: %s", deadAt.UTC().Format(time.RFC3339Nano), deref(why))
	}
	h.Fence(fmt.Errorf("%w (worker %s %s)", ErrFenced, h.cfg.ClientID, reason))
}

// Fence records that the worker lost its jobs to the others (its heartbeat found its row dead,
// or a job found a later attempt of itself holding its work) and calls OnFenced, once.
func (h *Heartbeat) Fence(cause error) {
	h.fenceOnce.Do(func() {
		h.mu.Lock()
		h.fenced = cause
		h.mu.Unlock()
		h.cfg.Logger.Error("❌ this worker was declared dead by the others (it was paused or cut off longer than its bound) and its jobs were given to them: it must stop working them",
			slog.String("client_id", h.cfg.ClientID), slog.String("reason", cause.Error()), slog.String("dead_after", h.cfg.DeadAfter.String()))
		if h.cfg.OnFenced != nil {
			h.cfg.OnFenced(cause)
		}
	})
}

// Registered reports whether Start registered the worker and Stop has not deregistered it.
func (h *Heartbeat) Registered() bool { return h.stop != nil }

// Fenced returns the error that fenced the worker, nil while it is not.
func (h *Heartbeat) Fenced() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.fenced
}

func (h *Heartbeat) rescue(ctx context.Context, gone []int32) {
	res, err := rescue(ctx, h.cfg.Pool, h.schema, h.cfg.ClientID, h.hostKey, gone)
	if err != nil {
		if ctx.Err() == nil {
			h.cfg.Logger.Warn("rescuing the jobs of dead workers failed; the next heartbeat tries again", slog.Any("error", err))
		}
		return
	}
	for _, d := range res.Dead {
		h.cfg.Logger.Warn("worker declared dead", slog.String("worker", d.ID), slog.String("host", d.Host), slog.Int("pid", d.PID),
			slog.Time("last_heartbeat", d.HeartbeatAt), slog.String("reason", d.Reason))
	}
	if res.Leader != "" {
		h.cfg.Logger.Info("River leadership of a dead worker released", slog.String("worker", res.Leader))
	}
	for _, j := range res.Jobs {
		h.cfg.Logger.Info("job of a dead worker returned to be retried", slog.Int64("job_id", j.ID), slog.String("kind", j.Kind),
			slog.String("state", j.State), slog.Int("attempt", j.Attempt), slog.String("worker", j.Worker))
	}
}

// Health says whether the worker's heartbeats land, for /readyz: not when it was fenced or its
// last successful heartbeat is older than DeadAfter (the others may declare it dead).
func (h *Heartbeat) Health() (bool, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.fenced != nil:
		return false, h.fenced.Error()
	case h.lastOK.IsZero():
		return false, "not registered yet"
	}
	since := time.Since(h.lastOK)
	if since >= h.cfg.DeadAfter {
		why := "the heartbeat has not returned"
		if h.lastErr != nil {
			why = h.lastErr.Error()
		}
		return false, fmt.Sprintf("no heartbeat has landed for %s (bound %s): %s", since.Round(time.Millisecond), h.cfg.DeadAfter, why)
	}
	msg := fmt.Sprintf("%s heartbeats every %s; %d %s alive", h.cfg.ClientID, h.cfg.Interval, h.alive, plural(h.alive, "worker", "workers"))
	if h.failing {
		msg += fmt.Sprintf("; the last heartbeat failed (%v), %s since one landed", h.lastErr, since.Round(time.Millisecond))
	}
	return true, msg
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
