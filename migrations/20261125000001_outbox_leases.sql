-- The relay claims outbox rows with a lease in a short transaction and delivers them outside it,
-- marking each row as it succeeds (docs/decisions.md, "Transactional outbox"). A row that fails
-- RELAY_MAX_ATTEMPTS times is set aside as dead instead of blocking the rows behind it.
-- Expand only: code deployed before this migration ignores both columns.
ALTER TABLE outbox
    ADD COLUMN lease_until DATETIME(6) NULL AFTER last_error,
    ADD COLUMN dead_at     DATETIME(6) NULL AFTER lease_until,
    -- "Is an earlier event of this task still waiting?": events of one task go out in order.
    ADD KEY outbox_task (task_id, seq);
