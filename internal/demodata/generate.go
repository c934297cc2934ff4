package demodata

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Per business.
const (
	leadsPer        = 1000
	callsPer        = 1500
	threadsPer      = 300
	messagesPer     = 1200
	broadcastsPer   = 2
	recipientsPer   = 100 // per broadcast
	appointmentsPer = 100
	remindersPer    = 100
	activitiesPer   = 500
)

// anchor is "now" for the generated history, fixed so that a scale always means the same data.
var anchor = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

var columns = map[string][]string{
	"business": {"id", "name", "slug", "phone_e164", "created_at", "updated_at", "webhook_secret"},
	"users":    {"id", "business_id", "email", "display_name", "role", "created_at", "updated_at"},
	"leads": {"id", "business_id", "full_name", "phone_e164", "email", "status", "source", "created_at", "updated_at",
		"phone_whatsapp", "whatsapp_opt_in", "last_call_direction", "last_call_at"},
	"call_log": {"id", "business_id", "lead_id", "call_sid", "direction", "from_number", "to_number", "status",
		"started_at", "ended_at", "duration_s", "created_at", "recording_mode"},
	"threads":  {"id", "business_id", "lead_id", "subject", "channel", "is_archived", "last_message_at", "created_at", "updated_at"},
	"messages": {"id", "business_id", "thread_id", "direction", "body", "sent_at", "created_at", "channel", "provider_message_id", "delivered_at"},
	"broadcast_jobs": {"id", "business_id", "created_by", "name", "channel", "body", "status", "started_at", "finished_at",
		"total_count", "sent_count", "failed_count", "created_at", "updated_at"},
	"broadcast_recipients": {"id", "broadcast_job_id", "lead_id", "message_id", "status", "error", "sent_at", "delivered_at", "created_at"},
	"calendars":            {"id", "business_id", "name", "timezone", "is_default", "created_at", "updated_at"},
	"appointments": {"id", "business_id", "calendar_id", "lead_id", "title", "starts_at", "ends_at", "status", "source",
		"created_by_user_id", "created_at", "updated_at"},
	"reminders":  {"id", "business_id", "lead_id", "user_id", "due_at", "note", "completed_at", "created_at"},
	"activities": {"id", "business_id", "lead_id", "actor_user_id", "kind", "payload", "occurred_at"},
}

// ref is a row's position in its table within one load; assignIDs turns it into an id.
type ref struct {
	table string
	idx   int
}

type table struct {
	name    string
	columns []string
	rows    [][]any
}

type generator struct {
	byName map[string]*table
}

// add appends a row whose first column (id) is its own ref, and returns that ref.
func (g *generator) add(name string, values ...any) ref {
	if g.byName == nil {
		g.byName = map[string]*table{}
	}
	t := g.byName[name]
	if t == nil {
		t = &table{name: name, columns: columns[name]}
		g.byName[name] = t
	}
	r := ref{name, len(t.rows)}
	t.rows = append(t.rows, append([]any{r}, values...))
	return r
}

func (g *generator) set(r ref, column string, v any) {
	t := g.byName[r.table]
	for i, c := range t.columns {
		if c == column {
			t.rows[r.idx][i] = v
			return
		}
	}
	panic("demodata: no column " + column)
}

func (g *generator) tables() []*table {
	var out []*table
	for _, name := range tables {
		if t := g.byName[name]; t != nil {
			out = append(out, t)
		}
	}
	return out
}

// assignIDs reserves ids for every table and replaces each ref with its id.
func (g *generator) assignIDs(ctx context.Context, tx pgx.Tx) error {
	first := map[string]int64{}
	for _, t := range g.tables() {
		id, err := reserveIDs(ctx, tx, t.name, len(t.rows))
		if err != nil {
			return fmt.Errorf("reserve %s ids: %w", t.name, err)
		}
		first[t.name] = id
	}
	for _, t := range g.tables() {
		for _, row := range t.rows {
			for i, v := range row {
				if r, ok := v.(ref); ok {
					row[i] = first[r.table] + int64(r.idx)
				}
			}
		}
	}
	return nil
}

// business generates business n and everything that belongs to it.
func (g *generator) business(n int) {
	r := rand.New(rand.NewPCG(uint64(n), 0x5eed))
	created := anchor.Add(-time.Duration(400+r.IntN(400)) * 24 * time.Hour)
	secret := randomHex(r, 32)
	if n%10 == 0 {
		secret = "" // created before webhooks were signed
	}
	phone := fmt.Sprintf("+9723%07d", r.IntN(10_000_000))
	b := g.add("business", fmt.Sprintf("%s %s", pick(r, companyWords), pick(r, companySuffixes)), slug(n), phone, created, created, secret)

	var users []ref
	for i, role := range []string{"owner", "admin", "agent"} {
		users = append(users, g.add("users", b, fmt.Sprintf("%s%d@%s.example.com", role, i, slug(n)),
			pick(r, firstNames)+" "+pick(r, lastNames), role, created, created))
	}
	leads := g.leads(r, b, created)
	g.calls(r, b, phone, leads)
	threads, lastMsg := g.threads(r, b, leads)
	g.broadcasts(r, b, users[0], leads, threads, lastMsg)
	g.finishThreads(r, threads, lastMsg)
	g.calendar(r, b, users, leads, created)
	for range remindersPer {
		l := leads[r.IntN(len(leads))]
		due := anchor.Add(time.Duration(r.IntN(60*24)-30*24) * time.Hour)
		var completed any
		if due.Before(anchor) && r.IntN(2) == 0 {
			completed = due.Add(time.Hour)
		}
		g.add("reminders", b, l.ref, users[r.IntN(len(users))], due, pick(r, reminderNotes), completed, due.Add(-72*time.Hour))
	}
	for range activitiesPer {
		l := leads[r.IntN(len(leads))]
		g.add("activities", b, l.ref, users[r.IntN(len(users))], pick(r, activityKinds), "{}", l.created.Add(time.Duration(r.IntN(1000))*time.Hour))
	}
}

type lead struct {
	ref     ref
	phone   string
	created time.Time
	// latest call, for leads whose last-call columns the application kept up to date
	lastCall      time.Time
	lastCallIdx   int
	lastDirection string
}

func (g *generator) leads(r *rand.Rand, b ref, since time.Time) []*lead {
	out := make([]*lead, leadsPer)
	for i := range out {
		first, last := pick(r, firstNames), pick(r, lastNames)
		digits := fmt.Sprintf("5%d%07d", r.IntN(9), r.IntN(10_000_000))
		created := since.Add(time.Duration(r.Int64N(int64(anchor.Sub(since)))))
		l := &lead{phone: "+972" + digits, created: created, lastCallIdx: -1}
		l.ref = g.add("leads", b, first+" "+last, l.phone,
			fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(first), strings.ToLower(last), r.IntN(1000)),
			pick(r, leadStatuses), pick(r, leadSources), created, created,
			whatsAppFormat(r, digits), r.IntN(3) > 0, nil, nil)
		out[i] = l
	}
	return out
}

// whatsAppFormat writes the lead's WhatsApp number the ways the product's clients did.
func whatsAppFormat(r *rand.Rand, digits string) any {
	national := "0" + digits // 05XXXXXXXX
	switch p := r.IntN(100); {
	case p < 50:
		return "+972" + digits
	case p < 65:
		return national[:3] + "-" + national[3:6] + "-" + national[6:]
	case p < 73:
		return "972 " + digits[:2] + " " + digits[2:5] + " " + digits[5:]
	case p < 80:
		return "972" + digits + "@s.whatsapp.net"
	case p < 85:
		return "00972" + digits
	case p < 90:
		return "+972 " + digits[:2] + "-" + digits[2:5] + "-" + digits[5:]
	case p < 95:
		return nil
	case p < 98:
		return " "
	default:
		return "n/a"
	}
}

func (g *generator) calls(r *rand.Rand, b ref, businessPhone string, leads []*lead) {
	for i := range callsPer {
		var leadRef any
		var l *lead
		if r.IntN(10) > 0 {
			l = leads[r.IntN(len(leads))]
			leadRef = l.ref
		}
		direction := pick(r, callDirections)
		started := anchor.Add(-time.Duration(r.IntN(365*24*60)) * time.Minute)
		if l != nil && started.Before(l.created) {
			started = l.created.Add(time.Duration(r.IntN(24*60)) * time.Minute)
		}
		from, to := "+972"+fmt.Sprintf("5%d%07d", r.IntN(9), r.IntN(10_000_000)), businessPhone
		if l != nil {
			from = l.phone
		}
		if direction == "outbound" {
			from, to = to, from
		}
		duration, status := 0, "no-answer"
		if direction != "missed" {
			duration, status = 20+r.IntN(600), "completed"
		}
		ended := started.Add(time.Duration(duration) * time.Second)
		recording := "off"
		if r.IntN(4) == 0 {
			recording = "record"
		}
		c := g.add("call_log", b, leadRef, fmt.Sprintf("CA%s%010d", randomHex(r, 8), i), direction, from, to, status,
			started, ended, duration, started, recording)
		if l != nil && (started.After(l.lastCall) || (started.Equal(l.lastCall) && c.idx > l.lastCallIdx)) {
			l.lastCall, l.lastCallIdx, l.lastDirection = started, c.idx, direction
		}
	}
	// A fifth of the leads were kept up to date by the application since 0023.
	for _, l := range leads {
		if l.lastCallIdx >= 0 && r.IntN(5) == 0 {
			g.set(l.ref, "last_call_direction", l.lastDirection)
			g.set(l.ref, "last_call_at", l.lastCall)
		}
	}
}

type thread struct {
	ref     ref
	lead    *lead
	channel string
}

func (g *generator) threads(r *rand.Rand, b ref, leads []*lead) ([]*thread, map[int]time.Time) {
	threads := make([]*thread, threadsPer)
	for i := range threads {
		l := leads[r.IntN(len(leads))]
		channel := pick(r, channels)
		t := &thread{lead: l, channel: channel}
		t.ref = g.add("threads", b, l.ref, pick(r, subjects), channel, r.IntN(10) == 0, nil, l.created, l.created)
		threads[i] = t
	}
	last := map[int]time.Time{}
	for range messagesPer {
		t := threads[r.IntN(len(threads))]
		direction := pick(r, []string{"inbound", "outbound"})
		at := t.lead.created.Add(time.Duration(r.IntN(300*24*60)) * time.Minute)
		var sent any
		if direction == "outbound" {
			sent = at.Add(time.Duration(r.IntN(5)) * time.Second)
		}
		g.add("messages", b, t.ref, direction, pick(r, messageBodies), sent, at, t.channel, "wamid."+randomHex(r, 10), nil)
		at = laterOf(at, sent)
		if at.After(last[t.ref.idx]) {
			last[t.ref.idx] = at
		}
	}
	return threads, last
}

func (g *generator) broadcasts(r *rand.Rand, b, user ref, leads []*lead, threads []*thread, last map[int]time.Time) {
	for j := range broadcastsPer {
		started := anchor.Add(-time.Duration(10+r.IntN(200)) * 24 * time.Hour)
		body := pick(r, broadcastBodies)
		job := g.add("broadcast_jobs", b, user, fmt.Sprintf("Campaign %d", j+1), "whatsapp", body, "completed",
			started, started.Add(time.Hour), recipientsPer, 0, 0, started.Add(-time.Hour), started.Add(time.Hour))
		sentCount, failedCount := 0, 0
		seen := map[int]bool{}
		for len(seen) < recipientsPer {
			t := threads[r.IntN(len(threads))]
			if seen[t.lead.ref.idx] {
				continue
			}
			seen[t.lead.ref.idx] = true
			sent := started.Add(time.Duration(r.IntN(3600)) * time.Second)
			status, delivered, msgDelivered := "delivered", any(sent.Add(time.Duration(1+r.IntN(120))*time.Second)), any(nil)
			var errText, message any
			switch p := r.IntN(100); {
			case p < 20:
				msgDelivered = delivered // the application copied this receipt already
			case p < 35:
				status = "sent" // the receipt came after the row was marked sent
			case p < 45:
				status, delivered = "sent", nil
			case p < 55:
				status, delivered, errText = "failed", nil, "131026: message undeliverable"
			case p < 60:
				status, delivered = "pending", nil
			}
			if status != "pending" && status != "failed" {
				message = g.add("messages", b, t.ref, "outbound", body, sent, sent, "whatsapp", "wamid."+randomHex(r, 10), msgDelivered)
				sentCount++
				if sent.After(last[t.ref.idx]) {
					last[t.ref.idx] = sent
				}
			}
			if status == "failed" {
				failedCount++
			}
			var sentAt any = sent
			if status == "pending" {
				sentAt = nil
			}
			g.add("broadcast_recipients", job, t.lead.ref, message, status, errText, sentAt, delivered, started)
		}
		g.set(job, "sent_count", sentCount)
		g.set(job, "failed_count", failedCount)
	}
}

// finishThreads sets last_message_at on the tenth of the threads the application kept current.
func (g *generator) finishThreads(r *rand.Rand, threads []*thread, last map[int]time.Time) {
	for _, t := range threads {
		if at, ok := last[t.ref.idx]; ok && r.IntN(10) == 0 {
			g.set(t.ref, "last_message_at", at)
		}
	}
}

func (g *generator) calendar(r *rand.Rand, b ref, users []ref, leads []*lead, created time.Time) {
	cal := g.add("calendars", b, "Main", "Asia/Jerusalem", true, created, created)
	for range appointmentsPer {
		l := leads[r.IntN(len(leads))]
		starts := anchor.Add(time.Duration(r.IntN(120*24)-60*24) * time.Hour).Truncate(30 * time.Minute)
		status := "completed"
		if starts.After(anchor) {
			status = pick(r, []string{"scheduled", "confirmed"})
		}
		g.add("appointments", b, cal, l.ref, pick(r, appointmentTitles), starts, starts.Add(45*time.Minute), status,
			pick(r, appointmentSources), users[r.IntN(len(users))], starts.Add(-96*time.Hour), starts.Add(-96*time.Hour))
	}
}

func laterOf(t time.Time, other any) time.Time {
	if o, ok := other.(time.Time); ok && o.After(t) {
		return o
	}
	return t
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func randomHex(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return hex.EncodeToString(b)
}
