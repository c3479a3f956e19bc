-- Replica lag, measured by the API (dev.capstan.api.db.ReplicaMonitor): every check writes the
-- primary's clock into this one row, and the age of the value a read replica holds is its lag.
CREATE TABLE replication_heartbeat (
  id TINYINT NOT NULL PRIMARY KEY,
  beat_at DATETIME(6) NULL
) ENGINE = InnoDB;

INSERT INTO replication_heartbeat (id, beat_at) VALUES (1, NULL);
