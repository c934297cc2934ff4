-- A value added by ALTER TYPE cannot be used in the same transaction: 022 marks the refunds.
ALTER TYPE order_status ADD VALUE 'refunded';
