package indexdef_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/indexes/indexdef"
)

func TestParse(t *testing.T) {
	t.Parallel()

	t.Run("ReadsNameTableAndColumns", func(t *testing.T) {
		t.Parallel()
		d, err := indexdef.Parse(`CREATE UNIQUE INDEX m_idx ON messages (channel, lower(provider_message_id))
			INCLUDE (thread_id) WHERE delivered_at IS NULL`)
		require.NoError(t, err)
		require.Equal(t, "m_idx", d.Name)
		require.Equal(t, "messages", d.Table)
		require.True(t, d.Unique)
		require.Equal(t, []string{"channel", "delivered_at", "provider_message_id", "thread_id"}, d.Columns())
	})

	for name, tc := range map[string]struct{ sql, want string }{
		"Concurrently":   {"CREATE INDEX CONCURRENTLY i ON t (a)", "without CONCURRENTLY"},
		"IfNotExists":    {"CREATE INDEX IF NOT EXISTS i ON t (a)", "IF NOT EXISTS"},
		"NoName":         {"CREATE INDEX ON t (a)", "no name"},
		"Qualified":      {"CREATE INDEX i ON public.t (a)", "unqualified"},
		"TwoStatements":  {"CREATE INDEX i ON t (a); CREATE INDEX j ON t (b)", "got 2 statements"},
		"NotAnIndex":     {"CREATE TABLE t (a int)", "want a CREATE INDEX statement"},
		"DoesNotParse":   {"CREATE INDEX i ON t (", "parse"},
		"Tablespace":     {"CREATE INDEX i ON t (a) TABLESPACE fast", "TABLESPACE"},
		"NoStatementAll": {"-- nothing", "got 0 statements"},
	} {
		t.Run("Refuses"+name, func(t *testing.T) {
			t.Parallel()
			_, err := indexdef.Parse(tc.sql)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestCreateConcurrently(t *testing.T) {
	t.Parallel()
	d, err := indexdef.Parse("CREATE UNIQUE INDEX r_idx ON reminders (due_at DESC) WHERE completed_at IS NULL")
	require.NoError(t, err)
	require.Equal(t,
		"CREATE UNIQUE INDEX CONCURRENTLY r_idx_steady_new ON public.reminders USING btree (due_at DESC) WHERE completed_at IS NULL",
		d.CreateConcurrently("public", "r_idx_steady_new"))
	// The definition itself is untouched.
	require.Equal(t, "CREATE UNIQUE INDEX CONCURRENTLY r_idx ON app.reminders USING btree (due_at DESC) WHERE completed_at IS NULL",
		d.CreateConcurrently("app", "r_idx"))
}

// The right-hand sides are what PostgreSQL 15's pg_get_indexdef printed for the left-hand sides.
func TestSame(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		def, indexdef string
		same          bool
	}{
		"DescKey": {"CREATE INDEX a ON leads (business_id, created_at DESC)",
			"CREATE INDEX a ON public.leads USING btree (business_id, created_at DESC)", true},
		"OtherNameAndSchema": {"CREATE INDEX a ON leads (business_id, created_at DESC)",
			"CREATE INDEX a_steady_new ON app.leads USING btree (business_id, created_at DESC)", true},
		"NullsLastPredicate": {"CREATE INDEX a ON threads (business_id, last_message_at DESC NULLS LAST) WHERE NOT is_archived",
			"CREATE INDEX a ON public.threads USING btree (business_id, last_message_at DESC NULLS LAST) WHERE (NOT is_archived)", true},
		"UniquePartial": {"CREATE UNIQUE INDEX a ON messages (channel, provider_message_id) WHERE provider_message_id IS NOT NULL",
			"CREATE UNIQUE INDEX a ON public.messages USING btree (channel, provider_message_id) WHERE (provider_message_id IS NOT NULL)", true},
		"CastConstantsAndAnd": {"CREATE INDEX a ON messages (created_at) WHERE direction = 'outbound' AND delivered_at IS NULL AND failed_at IS NULL",
			"CREATE INDEX a ON public.messages USING btree (created_at) WHERE ((direction = 'outbound'::message_direction) AND (delivered_at IS NULL) AND (failed_at IS NULL))", true},
		"Include": {"CREATE INDEX a ON appointments (calendar_id, starts_at) INCLUDE (ends_at, status)",
			"CREATE INDEX a ON public.appointments USING btree (calendar_id, starts_at) INCLUDE (ends_at, status)", true},
		"InList": {"CREATE INDEX a ON appointments (lead_id, starts_at) WHERE status IN ('scheduled', 'confirmed')",
			"CREATE INDEX a ON public.appointments USING btree (lead_id, starts_at) WHERE (status = ANY (ARRAY['scheduled'::appointment_status, 'confirmed'::appointment_status]))", true},
		"WithOption": {"CREATE INDEX a ON leads (business_id, status) WITH (fillfactor = 90)",
			"CREATE INDEX a ON public.leads USING btree (business_id, status) WITH (fillfactor='90')", true},
		"DefaultOrderSpelledOut": {"CREATE INDEX a ON leads (business_id ASC NULLS LAST, lower(email))",
			"CREATE INDEX a ON public.leads USING btree (business_id, lower(email))", true},
		"NegativeConstant": {"CREATE INDEX a ON t (a) WHERE b > -1",
			"CREATE INDEX a ON public.t USING btree (a) WHERE (b > '-1'::integer)", true},
		// As PostgreSQL stores them (seen in published histories): implicit casts added, the
		// table qualifier dropped.
		"ImplicitCastOfAVarcharColumn": {"CREATE INDEX a ON users (lower(email))",
			"CREATE INDEX a ON public.users USING btree (lower((email)::text))", true},
		"QualifiedColumnsAndTextComparison": {"CREATE INDEX a ON jobs (id) WHERE (jobs.is_deleted IS FALSE AND state = 'COMPLETED')",
			"CREATE INDEX a ON public.jobs USING btree (id) WHERE ((is_deleted IS FALSE) AND ((state)::text = 'COMPLETED'::text))", true},

		"OtherColumns": {"CREATE INDEX a ON leads (business_id, status)",
			"CREATE INDEX a ON public.leads USING btree (business_id)", false},
		"OtherOrder": {"CREATE INDEX a ON leads (business_id, created_at DESC)",
			"CREATE INDEX a ON public.leads USING btree (business_id, created_at)", false},
		"NotUnique": {"CREATE UNIQUE INDEX a ON leads (email)",
			"CREATE INDEX a ON public.leads USING btree (email)", false},
		"NoPredicate": {"CREATE INDEX a ON reminders (due_at) WHERE completed_at IS NULL",
			"CREATE INDEX a ON public.reminders USING btree (due_at)", false},
		"OtherPredicate": {"CREATE INDEX a ON broadcast_recipients (broadcast_job_id) WHERE status = 'pending'",
			"CREATE INDEX a ON public.broadcast_recipients USING btree (broadcast_job_id) WHERE (status = 'sent'::text)", false},
		"OtherTable": {"CREATE INDEX a ON leads (business_id)",
			"CREATE INDEX a ON public.threads USING btree (business_id)", false},
		"OtherMethod": {"CREATE INDEX a ON leads (business_id)",
			"CREATE INDEX a ON public.leads USING hash (business_id)", false},
		"NullsNotDistinct": {"CREATE UNIQUE INDEX a ON tabs_config (business_id, user_id)",
			"CREATE UNIQUE INDEX a ON public.tabs_config USING btree (business_id, user_id) NULLS NOT DISTINCT", false},
		"OtherInclude": {"CREATE INDEX a ON appointments (calendar_id) INCLUDE (ends_at)",
			"CREATE INDEX a ON public.appointments USING btree (calendar_id)", false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d, err := indexdef.Parse(tc.def)
			require.NoError(t, err)
			same, err := d.Same(tc.indexdef)
			require.NoError(t, err)
			require.Equal(t, tc.same, same)
		})
	}

	t.Run("UnparsableIndexdefIsAnError", func(t *testing.T) {
		t.Parallel()
		d, err := indexdef.Parse("CREATE INDEX a ON leads (business_id)")
		require.NoError(t, err)
		_, err = d.Same("CREATE INDEX a ON")
		require.Error(t, err)
	})
}
