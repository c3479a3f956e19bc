-- Capstan schema v1. MySQL 8 / MariaDB 10.11 dialect: InnoDB, utf8mb4, DATETIME(6) in UTC.
-- Ids are UUIDs (v7, time ordered) stored as CHAR(36) so both engines and every client agree.

CREATE TABLE users (
  id            CHAR(36)     NOT NULL,
  email         VARCHAR(320) NOT NULL,
  name          VARCHAR(200) NOT NULL,
  password_hash VARCHAR(100) NOT NULL,
  created_at    DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_users_email (email)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE sessions (
  id           CHAR(36)    NOT NULL,
  user_id      CHAR(36)    NOT NULL,
  token_hash   CHAR(64)    NOT NULL,
  created_at   DATETIME(6) NOT NULL,
  expires_at   DATETIME(6) NOT NULL,
  revoked_at   DATETIME(6) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_sessions_token_hash (token_hash),
  KEY idx_sessions_user_id (user_id),
  CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE videos (
  id                  CHAR(36)      NOT NULL,
  user_id             CHAR(36)      NOT NULL,
  title               VARCHAR(300)  NOT NULL,
  description         TEXT          NULL,
  status              VARCHAR(32)   NOT NULL,
  source_key          VARCHAR(512)  NULL,
  source_size_bytes   BIGINT        NULL,
  source_content_type VARCHAR(200)  NULL,
  output_prefix       VARCHAR(512)  NULL,
  duration_seconds    DOUBLE        NULL,
  width               INT           NULL,
  height              INT           NULL,
  fps                 DOUBLE        NULL,
  has_audio           BOOLEAN       NULL,
  progress_percent    INT           NOT NULL DEFAULT 0,
  progress_stage      VARCHAR(32)   NULL,
  error_code          VARCHAR(64)   NULL,
  error_message       VARCHAR(1000) NULL,
  created_at          DATETIME(6)   NOT NULL,
  updated_at          DATETIME(6)   NOT NULL,
  PRIMARY KEY (id),
  -- The seed's idx_videos_user_id, widened so "my videos, newest first" is one index range scan.
  KEY idx_videos_user_id (user_id, created_at, id),
  CONSTRAINT fk_videos_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE jobs (
  id               CHAR(36)      NOT NULL,
  video_id         CHAR(36)      NOT NULL,
  kind             VARCHAR(32)   NOT NULL,
  state            VARCHAR(16)   NOT NULL,
  attempt          INT           NOT NULL,
  max_attempts     INT           NOT NULL,
  payload          TEXT          NOT NULL,
  lease_owner      VARCHAR(200)  NULL,
  lease_expires_at DATETIME(6)   NULL,
  last_error       VARCHAR(1000) NULL,
  published_at     DATETIME(6)   NULL,
  created_at       DATETIME(6)   NOT NULL,
  updated_at       DATETIME(6)   NOT NULL,
  finished_at      DATETIME(6)   NULL,
  PRIMARY KEY (id),
  KEY idx_jobs_video_id (video_id),
  -- The reconciler's sweeps: unpublished queued jobs, running jobs with an expired lease.
  KEY idx_jobs_state_lease (state, lease_expires_at),
  CONSTRAINT fk_jobs_video FOREIGN KEY (video_id) REFERENCES videos (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE renditions (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  video_id     CHAR(36)     NOT NULL,
  attempt      INT          NOT NULL,
  kind         VARCHAR(16)  NOT NULL,
  name         VARCHAR(32)  NOT NULL,
  width        INT          NULL,
  height       INT          NULL,
  bitrate_kbps INT          NULL,
  codecs       VARCHAR(100) NULL,
  s3_key       VARCHAR(512) NOT NULL,
  size_bytes   BIGINT       NOT NULL,
  created_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_renditions_video_attempt_kind_name (video_id, attempt, kind, name),
  CONSTRAINT fk_renditions_video FOREIGN KEY (video_id) REFERENCES videos (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE share_links (
  id            CHAR(36)     NOT NULL,
  video_id      CHAR(36)     NOT NULL,
  user_id       CHAR(36)     NOT NULL,
  code          VARCHAR(32)  NOT NULL,
  password_hash VARCHAR(100) NULL,
  expires_at    DATETIME(6)  NULL,
  created_at    DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  -- The seed's idx_share_links_code; unique because a code names exactly one link.
  UNIQUE KEY idx_share_links_code (code),
  KEY idx_share_links_video_id (video_id),
  KEY idx_share_links_user_id (user_id, created_at),
  CONSTRAINT fk_share_links_video FOREIGN KEY (video_id) REFERENCES videos (id) ON DELETE CASCADE,
  CONSTRAINT fk_share_links_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE comments (
  id                CHAR(36)    NOT NULL,
  video_id          CHAR(36)    NOT NULL,
  user_id           CHAR(36)    NOT NULL,
  body              TEXT        NOT NULL,
  timestamp_seconds DOUBLE      NULL,
  created_at        DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  -- The seed's idx_comments_video_id, with the sort key for keyset pagination.
  KEY idx_comments_video_id (video_id, created_at, id),
  CONSTRAINT fk_comments_video FOREIGN KEY (video_id) REFERENCES videos (id) ON DELETE CASCADE,
  CONSTRAINT fk_comments_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
