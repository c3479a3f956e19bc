-- Threaded comments and reactions (a reaction is an emoji comment, as Cap does it), and an
-- anonymous view count per share link.
ALTER TABLE comments
  ADD COLUMN parent_id CHAR(36)    NULL,
  ADD COLUMN type      VARCHAR(16) NOT NULL DEFAULT 'text',
  ADD KEY idx_comments_parent_id (parent_id),
  ADD CONSTRAINT fk_comments_parent FOREIGN KEY (parent_id) REFERENCES comments (id) ON DELETE CASCADE;

ALTER TABLE share_links
  ADD COLUMN view_count BIGINT NOT NULL DEFAULT 0;
