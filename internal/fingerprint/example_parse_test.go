package fingerprint_test

import (
	"fmt"

	"github.com/steadydb/steady/internal/fingerprint"
)

func ExampleParse() {
	sql := `-- Leads get a WhatsApp number and a status check.
ALTER TABLE leads
    ADD COLUMN phone_whatsapp varchar(32),
    ADD CONSTRAINT leads_status_check CHECK (status <> '') NOT VALID;

-- steady:fingerprint column leads.phone_whatsapp
UPDATE leads SET phone_whatsapp = phone_e164 WHERE phone_whatsapp IS NULL;

COMMENT ON COLUMN leads.phone_whatsapp IS 'E.164';
`
	m, err := fingerprint.Parse("0008_whatsapp_fields_leads.sql", sql)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, st := range m.Statements {
		fmt.Printf("%d line %d %s: %s\n", st.Index, st.Line, st.Node, st.SQL)
		switch {
		case !st.Verifiable():
			fmt.Println("    unverifiable")
		case st.Explicit:
			fmt.Println("    from a steady:fingerprint directive:")
		}
		for _, e := range st.Effects {
			fmt.Printf("    %s", e)
			if e.Type != "" {
				fmt.Printf(" %s", e.Type)
			}
			fmt.Println()
		}
	}

	_, err = fingerprint.Parse("0009_broken.sql", "SELECT 1;\nCREATE TABLE (id int);")
	fmt.Println(err)

	// Output:
	// 0 line 2 AlterTableStmt: ALTER TABLE leads ADD COLUMN phone_whatsapp varchar(32)
	//     column public.leads.phone_whatsapp character varying(32)
	// 1 line 2 AlterTableStmt: ALTER TABLE leads ADD CONSTRAINT leads_status_check CHECK (status <> '') NOT VALID
	//     constraint public.leads.leads_status_check
	// 2 line 7 UpdateStmt: UPDATE leads SET phone_whatsapp = phone_e164 WHERE phone_whatsapp IS NULL
	//     from a steady:fingerprint directive:
	//     column public.leads.phone_whatsapp
	// 3 line 9 CommentStmt: COMMENT ON COLUMN leads.phone_whatsapp IS 'E.164'
	//     unverifiable
	// 0009_broken.sql:2: syntax error at or near "("
}
