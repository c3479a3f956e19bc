package dev.capstan.api.playback;

/**
 * Rewrites the storyboard's WebVTT cues for a player: the worker writes each cue as {@code
 * storyboard.jpg#xywh=x,y,w,h}, relative to the cues' own folder, which a presigned URL would not
 * reach; each becomes the sheet's presigned URL with the same fragment.
 */
public final class StoryboardCues {
  private StoryboardCues() {}

  public static String pointedAt(String vtt, String sheetUrl) {
    StringBuilder out = new StringBuilder();
    for (String line : vtt.split("\r?\n", -1)) {
      int fragment = line.indexOf("#xywh=");
      if (fragment > 0 && !line.contains(" --> ")) {
        out.append(sheetUrl).append(line.substring(fragment));
      } else {
        out.append(line);
      }
      out.append('\n');
    }
    return out.toString().stripTrailing() + "\n";
  }
}
