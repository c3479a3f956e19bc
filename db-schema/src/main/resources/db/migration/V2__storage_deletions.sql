-- Objects to remove from S3 after their rows are gone (a deleted video's prefix). Written in the
-- same transaction as the delete, so a crash between the two cannot leave orphans behind.
CREATE TABLE storage_deletions (
  id           BIGINT        NOT NULL AUTO_INCREMENT,
  prefix       VARCHAR(512)  NOT NULL,
  run_after    DATETIME(6)   NOT NULL,
  passes_left  INT           NOT NULL,
  attempts     INT           NOT NULL DEFAULT 0,
  last_error   VARCHAR(1000) NULL,
  created_at   DATETIME(6)   NOT NULL,
  PRIMARY KEY (id),
  KEY idx_storage_deletions_run_after (run_after)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
