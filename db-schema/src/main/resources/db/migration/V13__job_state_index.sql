-- Issue 4: fewer index writes per job. Every change of a job's state (QUEUED -> RUNNING ->
-- SUCCEEDED, two per job) rewrote each secondary index holding `state`: four of them
-- (state + lease_expires_at, state + run_after, state + lane + created_at, parent_id + state).
-- One index on `state` now serves every query that selects jobs by state, so a state change
-- rewrites one entry:
--
--   idx_jobs_state_lane (state, lane, created_at), from V4, kept:
--     - the API's reconciler: queued jobs to publish or check, failed attempts, running jobs with
--       an expired lease (a range on the state; the sets of QUEUED, FAILED and RUNNING jobs are
--       what is in flight, not the history, and the rest of the condition filters within them);
--     - the admin queue view: waiting jobs per lane (state, lane), in-flight jobs (RUNNING), dead
--       letters (DEAD, counted within the index).
--   idx_jobs_parent (parent_id): a flow's children (a handful per parent; the state filters
--     within them), no longer rewritten when a job's state changes.
--
-- Dropped: idx_jobs_state_lease (V1) and idx_jobs_state_run_after (V4); their second columns
-- only narrowed ranges within the in-flight sets above.
ALTER TABLE jobs
  DROP KEY idx_jobs_state_lease,
  DROP KEY idx_jobs_state_run_after,
  DROP KEY idx_jobs_parent,
  ADD KEY idx_jobs_parent (parent_id);
