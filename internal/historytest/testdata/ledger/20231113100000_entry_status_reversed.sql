ALTER TYPE entry_status ADD VALUE 'reversed';
