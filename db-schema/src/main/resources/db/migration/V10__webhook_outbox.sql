-- Webhook events waiting to be fanned out into deliveries (an outbox). Each row is written in the
-- transaction of the change it announces (the worker's JobStore when a video becomes ready or
-- fails, the API when it deletes a video or gives up on one), so no event is lost when no API
-- instance runs at that moment; an API instance later turns it into one delivery per subscribed
-- webhook (FOR UPDATE SKIP LOCKED, and webhook_deliveries' unique key keeps it to one) and deletes
-- it. Rows are only written for users who have a webhook.
CREATE TABLE webhook_outbox (
  id         BIGINT        NOT NULL AUTO_INCREMENT,
  user_id    CHAR(36)      NOT NULL,
  video_id   CHAR(36)      NOT NULL,
  event_key  VARCHAR(200)  NOT NULL,
  event_type VARCHAR(64)   NOT NULL,
  payload    TEXT          NOT NULL,
  created_at DATETIME(6)   NOT NULL,
  PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
