-- Seconds left in the running transcode, as the worker last estimated it (elapsed x remaining / done);
-- NULL when unknown or when the video is not processing. GET /api/v1/videos/{id} shows it beside
-- percent and stage.
ALTER TABLE videos ADD COLUMN progress_eta_seconds DOUBLE NULL AFTER progress_stage;
