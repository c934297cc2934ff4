-- Support ticket 4521: three orders were charged twice.
UPDATE orders SET status = 'refunded' WHERE id IN (90211, 90212, 90230);
