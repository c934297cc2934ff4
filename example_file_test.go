package steady_test

import (
	"errors"
	"fmt"

	"github.com/steadydb/steady"
)

// A backfill is one SQL file: a small header, the batch for one key range, and the SELECT of
// the keys still to do. psql runs it as it is (psql -v from=0 -v to=1000 -f fix.sql); steady
// runs the same statements with the range as $1 and $2.
func ExampleParseBackfillFile() {
	b, err := steady.ParseBackfillFile("fix.sql", []byte(`-- backfill: blank_whatsapp_fix
-- description: blank WhatsApp numbers become NULL
-- key: id

UPDATE leads SET phone_whatsapp = NULL
WHERE id > :from AND id <= :to AND btrim(phone_whatsapp) = '';

SELECT id FROM leads WHERE id > :from AND id <= :to AND btrim(phone_whatsapp) = '';
`))
	if err != nil {
		panic(err)
	}
	fmt.Println(b.Name, "changes", b.Table, "by", b.Key)
	fmt.Println(b.Update)

	// A batch without its key range would change the whole table at once: refused, at its line.
	_, err = steady.ParseBackfillFile("bad.sql", []byte("-- key: id\n\nUPDATE leads SET phone_whatsapp = NULL\nWHERE btrim(phone_whatsapp) = '';\n"))
	var fe *steady.FileError
	if errors.As(err, &fe) {
		fmt.Printf("%s line %d: %s\n", fe.File, fe.Line, fe.Message)
	}
	fmt.Println("exit code", steady.ExitCode(err))

	// Output:
	// blank_whatsapp_fix changes leads by id
	// UPDATE leads SET phone_whatsapp = NULL
	// WHERE id > $1 AND id <= $2 AND btrim(phone_whatsapp) = ''
	// bad.sql line 3: UPDATE without the key range: its WHERE must hold id > :from AND id <= :to, so that a batch touches only its own keys
	// exit code 2
}
