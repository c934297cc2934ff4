-- Reconciliation with the card provider is closed; every row lives on in payments.
DROP TABLE card_payments;
