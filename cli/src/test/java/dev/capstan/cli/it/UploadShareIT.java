package dev.capstan.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.capstan.cli.testing.CliRun;
import dev.capstan.cli.testing.CliUser;
import dev.capstan.cli.testing.LiveStack;
import dev.capstan.cli.testing.Stack;
import dev.capstan.devtools.media.SampleClips;
import dev.capstan.model.api.ShareMessages.PublicShareView;
import dev.capstan.model.api.VideoMessages.VideoView;
import dev.capstan.model.video.VideoStatus;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The everyday path: upload a clip, wait for it, share it; then status, ls, open and rm. */
@ExtendWith(LiveStack.class)
class UploadShareIT {

  @Test
  void upload_with_wait_and_share_prints_a_share_link_that_plays(Stack stack) throws Exception {
    CliUser user = stack.newUser("share");
    Path clip =
        SampleClips.generate(
            SampleClips.Spec.standard(1.5), stack.folder("clip").resolve("clip.mp4"));

    CliRun upload = user.run("upload", clip.toString(), "--wait", "--share", "--verbose");

    assertThat(upload.exitCode()).as(upload.toString()).isZero();
    assertThat(upload.out())
        .as("stdout is the share link alone")
        .matches("https?://\\S+/s/[A-Za-z0-9_-]+");
    assertThat(upload.stderr())
        .as("processing followed over SSE")
        .contains("event video.ready")
        .contains("clip.mp4: ready");
    String code = upload.out().substring(upload.out().lastIndexOf('/') + 1);
    PublicShareView shared =
        stack.get("/api/v1/public/shares/" + code, null, PublicShareView.class);
    assertThat(shared.status()).isEqualTo(VideoStatus.READY);
    assertThat(shared.title()).isEqualTo("clip.mp4");
    assertThat(shared.width()).isEqualTo(320);
    assertThat(shared.durationSeconds()).isCloseTo(1.5, offset(0.1));
    assertThat(shared.playback().mp4()).isNotNull();

    CliRun ls = user.run("ls", "--json");
    List<VideoView> videos = Stack.JSON.readValue(ls.stdout(), new TypeReference<>() {});
    assertThat(videos).singleElement().extracting(VideoView::status).isEqualTo(VideoStatus.READY);
    String id = videos.get(0).id();

    CliRun table = user.run("ls");
    assertThat(table.stdout()).contains(id).contains("ready").contains("clip.mp4");

    CliRun status = user.run("status", id);
    assertThat(status.exitCode()).isZero();
    assertThat(status.stdout()).contains("status:    ready").contains("size:      320x180");
    assertThat(status.stdout()).containsPattern("playback:  http\\S+");

    CliRun open = user.run("open", id);
    assertThat(open.exitCode()).as(open.toString()).isZero();
    assertThat(open.out()).as("open reuses the link --share made").isEqualTo(upload.out());

    CliRun protectedLink = user.run("share", id, "--password", "open sesame", "--expires", "7d");
    assertThat(protectedLink.exitCode()).as(protectedLink.toString()).isZero();
    assertThat(protectedLink.out()).isNotEqualTo(upload.out()).contains("/s/");
    String protectedCode = protectedLink.out().substring(protectedLink.out().lastIndexOf('/') + 1);
    assertThat(stack.send("GET", "/api/v1/public/shares/" + protectedCode, null, null).statusCode())
        .as("the password holds")
        .isEqualTo(401);

    CliRun rm = user.run("rm", id);
    assertThat(rm.exitCode()).as(rm.toString()).isZero();
    CliRun gone = user.run("status", id);
    assertThat(gone.exitCode()).isEqualTo(9);
    assertThat(gone.stderrLines()).singleElement().asString().startsWith("capstan: not found");
    assertThat(stack.send("GET", "/api/v1/public/shares/" + code, null, null).statusCode())
        .isEqualTo(404);
    assertThat(URI.create(upload.out()).getScheme()).startsWith("http");
  }
}
