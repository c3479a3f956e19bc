-- Direct-to-S3 multipart uploads in progress: the client sends parts straight to the store with
-- presigned URLs; the API only remembers which upload belongs to the video.
ALTER TABLE videos
  ADD COLUMN upload_id         VARCHAR(512) NULL,
  ADD COLUMN upload_size_bytes BIGINT       NULL,
  ADD COLUMN upload_part_bytes BIGINT       NULL,
  ADD COLUMN upload_started_at DATETIME(6)  NULL,
  ADD KEY idx_videos_upload_started_at (upload_started_at);
