-- Tasks. Ids are UUIDv7 (time-ordered), so `ORDER BY id DESC` is newest first and a stable
-- keyset for pagination.
CREATE TABLE tasks (
    id          CHAR(36)      NOT NULL,
    title       VARCHAR(200)  NOT NULL,
    description TEXT          NULL,
    status      VARCHAR(16)   NOT NULL,
    assignee_id CHAR(36)      NULL,
    due_date    DATE          NULL,
    created_by  CHAR(36)      NOT NULL,
    created_at  DATETIME(6)   NOT NULL,
    updated_at  DATETIME(6)   NOT NULL,
    version     INT UNSIGNED  NOT NULL,
    PRIMARY KEY (id),
    KEY tasks_status (status, id),
    KEY tasks_assignee (assignee_id, id),
    KEY tasks_created_by (created_by, id),
    CONSTRAINT tasks_status_valid CHECK (status IN ('todo', 'in_progress', 'done')),
    CONSTRAINT tasks_assignee_fk FOREIGN KEY (assignee_id) REFERENCES users (id),
    CONSTRAINT tasks_created_by_fk FOREIGN KEY (created_by) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The transactional outbox: one row per task event, written in the same transaction as the
-- change. The relay publishes unsent rows in `seq` order and stamps `sent_at`.
CREATE TABLE outbox (
    seq         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    event_id    CHAR(36)        NOT NULL,
    task_id     CHAR(36)        NOT NULL,
    detail_type VARCHAR(32)     NOT NULL,
    detail      MEDIUMTEXT      NOT NULL,
    created_at  DATETIME(6)     NOT NULL,
    sent_at     DATETIME(6)     NULL,
    attempts    INT UNSIGNED    NOT NULL DEFAULT 0,
    last_error  VARCHAR(500)    NULL,
    PRIMARY KEY (seq),
    UNIQUE KEY outbox_event_id (event_id),
    KEY outbox_unsent (sent_at, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
