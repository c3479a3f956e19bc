-- Webhooks: a user's endpoints and the log of every delivery (the retry queue and the audit
-- trail at once). The signing secret is stored encrypted (AES-GCM with the server's key): the
-- server must sign with it, so it cannot be a one-way hash.
CREATE TABLE webhooks (
  id               CHAR(36)      NOT NULL,
  user_id          CHAR(36)      NOT NULL,
  url              VARCHAR(2000) NOT NULL,
  events           VARCHAR(500)  NOT NULL,
  secret_encrypted VARCHAR(500)  NOT NULL,
  created_at       DATETIME(6)   NOT NULL,
  PRIMARY KEY (id),
  KEY idx_webhooks_user_id (user_id, created_at),
  CONSTRAINT fk_webhooks_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE webhook_deliveries (
  id               CHAR(36)      NOT NULL,
  webhook_id       CHAR(36)      NOT NULL,
  event_key        VARCHAR(200)  NOT NULL,
  event_type       VARCHAR(64)   NOT NULL,
  payload          TEXT          NOT NULL,
  status           VARCHAR(16)   NOT NULL,
  attempts         INT           NOT NULL DEFAULT 0,
  next_attempt_at  DATETIME(6)   NOT NULL,
  give_up_at       DATETIME(6)   NOT NULL,
  last_status_code INT           NULL,
  last_error       VARCHAR(1000) NULL,
  created_at       DATETIME(6)   NOT NULL,
  delivered_at     DATETIME(6)   NULL,
  PRIMARY KEY (id),
  -- One delivery per event and endpoint, however many API instances saw the event.
  UNIQUE KEY uk_webhook_deliveries_event (webhook_id, event_key),
  KEY idx_webhook_deliveries_due (status, next_attempt_at),
  KEY idx_webhook_deliveries_log (webhook_id, created_at, id),
  CONSTRAINT fk_webhook_deliveries_webhook FOREIGN KEY (webhook_id) REFERENCES webhooks (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
