-- Issue 4: retries with backoff, priority lanes, the reconciler's bookkeeping, admin role.
ALTER TABLE jobs
  -- A retried job is QUEUED again but not published before this time (backoff with jitter).
  ADD COLUMN run_after       DATETIME(6) NULL,
  -- Which stream carries the job: 'short' or 'long' (by source size at enqueue).
  ADD COLUMN lane            VARCHAR(16) NOT NULL DEFAULT 'short',
  -- Id of the job's latest stream entry, so the reconciler can tell whether Redis still has it.
  ADD COLUMN stream_entry_id VARCHAR(64) NULL,
  -- The reconciler's sweep of due retries, and the admin view of waiting jobs per lane.
  ADD KEY idx_jobs_state_run_after (state, run_after),
  ADD KEY idx_jobs_state_lane (state, lane, created_at);

-- 'user' or 'admin'; capstan.admin.emails also makes a user an admin without touching the row.
ALTER TABLE users ADD COLUMN role VARCHAR(16) NOT NULL DEFAULT 'user';
