-- The Baileys gateway is gone.
DROP TABLE baileys_sessions;
