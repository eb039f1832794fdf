-- Projects, members, invitations and account tokens (issue 13; docs/decisions.md §11, §12).
--
-- Upgrade path: every existing task moves into one project, "Taskboard", whose members are all
-- existing accounts; the earliest account is its owner and the deployment's first administrator.
-- Existing addresses count as verified (they were the only accounts there were). A fresh database
-- gets no project: the first owner comes through an invitation (README "The first account").

ALTER TABLE users
    ADD COLUMN is_admin          BOOLEAN     NOT NULL DEFAULT FALSE,
    ADD COLUMN email_verified_at DATETIME(6) NULL,
    ADD COLUMN deactivated_at    DATETIME(6) NULL;
UPDATE users SET email_verified_at = created_at;

CREATE TABLE projects (
    id          CHAR(36)    NOT NULL,
    name        VARCHAR(80) NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    archived_at DATETIME(6) NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Who is in a project. The primary key answers "is X a member of P" (every request); the second
-- key answers "X's projects".
CREATE TABLE project_members (
    project_id CHAR(36)    NOT NULL,
    user_id    CHAR(36)    NOT NULL,
    role       VARCHAR(8)  NOT NULL,
    joined_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (project_id, user_id),
    KEY project_members_user (user_id, project_id),
    CONSTRAINT project_members_role_valid CHECK (role IN ('owner', 'member')),
    CONSTRAINT project_members_project_fk FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT project_members_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

SET @tb_owner = (SELECT id FROM users ORDER BY created_at, id LIMIT 1);
SET @tb_project = IF(@tb_owner IS NULL, NULL, UUID());
INSERT INTO projects (id, name, created_at)
    SELECT @tb_project, 'Taskboard', UTC_TIMESTAMP(6) FROM DUAL WHERE @tb_project IS NOT NULL;
INSERT INTO project_members (project_id, user_id, role, joined_at)
    SELECT @tb_project, id, IF(id = @tb_owner, 'owner', 'member'), created_at
    FROM users WHERE @tb_project IS NOT NULL;
UPDATE users SET is_admin = TRUE WHERE id = @tb_owner;

ALTER TABLE tasks ADD COLUMN project_id CHAR(36) NULL AFTER id;
UPDATE tasks SET project_id = @tb_project;
-- Every board query is "this project's tasks, newest first", per column: the two project keys
-- serve them as ranges that start at the cursor. The old status key served the global board.
ALTER TABLE tasks
    MODIFY project_id CHAR(36) NOT NULL,
    ADD KEY tasks_project (project_id, id),
    ADD KEY tasks_project_status (project_id, status, id),
    DROP KEY tasks_status,
    ADD CONSTRAINT tasks_project_fk FOREIGN KEY (project_id) REFERENCES projects (id);

-- Events written before the upgrade and not yet relayed get the project they now belong to, so
-- every event a consumer reads follows the same contract (docs/events.md).
UPDATE outbox
    SET detail = JSON_SET(detail, '$.task.project_id', @tb_project,
                          '$.project', JSON_OBJECT('id', @tb_project, 'name', 'Taskboard'))
    WHERE sent_at IS NULL AND @tb_project IS NOT NULL;

-- Invitations: only SHA-256 of the link's token is kept. `project_id` NULL is a deployment's
-- first-administrator invitation (no project yet).
CREATE TABLE invitations (
    id           CHAR(36)     NOT NULL,
    project_id   CHAR(36)     NULL,
    email        VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    role         VARCHAR(8)   NOT NULL,
    grants_admin BOOLEAN      NOT NULL DEFAULT FALSE,
    token_hash   CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    invited_by   CHAR(36)     NULL,
    created_at   DATETIME(6)  NOT NULL,
    expires_at   DATETIME(6)  NOT NULL,
    accepted_at  DATETIME(6)  NULL,
    revoked_at   DATETIME(6)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY invitations_token (token_hash),
    KEY invitations_project (project_id, email),
    CONSTRAINT invitations_role_valid CHECK (role IN ('owner', 'member')),
    CONSTRAINT invitations_project_fk FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT invitations_invited_by_fk FOREIGN KEY (invited_by) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Verification and password-reset links: SHA-256 of the token, single use, short expiry.
CREATE TABLE account_tokens (
    token_hash CHAR(64)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_id    CHAR(36)    NOT NULL,
    purpose    VARCHAR(8)  NOT NULL,
    created_at DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    used_at    DATETIME(6) NULL,
    PRIMARY KEY (token_hash),
    KEY account_tokens_user (user_id, purpose),
    CONSTRAINT account_tokens_purpose_valid CHECK (purpose IN ('verify', 'reset')),
    CONSTRAINT account_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
