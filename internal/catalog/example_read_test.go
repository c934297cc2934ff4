package catalog_test

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/fingerprint"
)

// Read one snapshot and ask it whether the effects of a migration are in place. The example
// needs a PostgreSQL server at TEST_DATABASE_URL_DIRECT (make test sets it) on which it
// creates, then drops, a database of its own.
func ExampleRead() {
	ctx := context.Background()
	dbURL, cleanup, err := dbtest.ForExample(ctx)
	if err != nil {
		fmt.Println("example database:", err)
		return
	}
	defer cleanup()

	// QueryExecModeExec also works through PgBouncer in transaction mode, where prepared
	// statements fail.
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		panic(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		panic(err)
	}
	defer conn.Close(ctx)

	_, err = conn.Exec(ctx, `
		CREATE TABLE leads (id bigint PRIMARY KEY, phone_whatsapp text);
		ALTER TABLE leads ADD CONSTRAINT leads_phone_check CHECK (phone_whatsapp <> '') NOT VALID`)
	if err != nil {
		panic(err)
	}

	snap, err := catalog.Read(ctx, conn)
	if err != nil {
		panic(err)
	}

	leads := func(kind fingerprint.Kind, name string) fingerprint.Object {
		return fingerprint.Object{Kind: kind, Schema: "public", Table: "leads", Name: name}
	}
	for _, e := range []fingerprint.Effect{
		{Object: leads(fingerprint.KindColumn, "phone_whatsapp"), Type: "character varying(32)"},
		{Object: leads(fingerprint.KindColumn, "email"), Type: "text"},
		{Object: leads(fingerprint.KindConstraint, "leads_phone_check"), Alter: true, Validated: true},
	} {
		r := snap.Check(e)
		fmt.Printf("%s\n  holds=%t exists=%t found=%q drift=%q\n", e, r.Holds, r.Exists, r.Found, r.Drift)
	}

	// Output:
	// column public.leads.phone_whatsapp
	//   holds=true exists=true found="column public.leads.phone_whatsapp text NULL" drift="type is text, want character varying(32)"
	// column public.leads.email
	//   holds=false exists=false found="" drift=""
	// constraint public.leads.leads_phone_check
	//   holds=false exists=true found="constraint public.leads.leads_phone_check CHECK ((phone_whatsapp <> ''::text)) NOT VALID" drift="constraint is NOT VALID, want validated"
}
