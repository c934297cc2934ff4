-- Retries are left to the payment provider's smart retries since the 2023 migration to it.
DROP TABLE dunning_attempts;
