-- Issue 9: one video, many workers. A long source's transcode job becomes the parent of a flow:
-- it writes one child job per chunk (a time range on the HLS segment grid) and WAITs; the last
-- child to succeed hands the parent its finishing step (assemble playlists, remux the MP4), once.
ALTER TABLE jobs
  -- The flow parent of a chunk job; null for every other job.
  ADD COLUMN parent_id        CHAR(36)   NULL,
  -- Parent only: children not yet succeeded. The child that brings it to 0 finishes the flow.
  ADD COLUMN children_pending INT        NULL,
  -- What a finished step hands on (JSON): a chunk its segment lists, a parent its audio, poster
  -- and storyboard. Read by the finishing step only.
  ADD COLUMN result           MEDIUMTEXT NULL,
  ADD KEY idx_jobs_parent (parent_id, state);
