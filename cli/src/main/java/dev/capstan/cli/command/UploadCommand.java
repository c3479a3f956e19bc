package dev.capstan.cli.command;

import dev.capstan.cli.CapstanCommand;
import dev.capstan.cli.CliFailure;
import dev.capstan.cli.ExitCode;
import dev.capstan.cli.Terminal;
import dev.capstan.cli.api.Backoff;
import dev.capstan.cli.api.CapstanApi;
import dev.capstan.cli.events.ProcessingWatcher;
import dev.capstan.cli.progress.PlainProgress;
import dev.capstan.cli.progress.ProgressBar;
import dev.capstan.cli.progress.Units;
import dev.capstan.cli.progress.UploadProgress;
import dev.capstan.cli.upload.SourceFile;
import dev.capstan.cli.upload.Throttle;
import dev.capstan.cli.upload.UploadStates;
import dev.capstan.cli.upload.Uploader;
import dev.capstan.model.api.ShareMessages.ShareView;
import dev.capstan.model.api.VideoMessages.VideoView;
import dev.capstan.model.video.VideoStatus;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code capstan upload FILE...}: each file straight to the object store in parallel parts,
 * resumable; then optionally waits for processing and makes a share link.
 */
@Command(
    name = "upload",
    description = {
      "Upload videos, resumably, in parallel parts straight to the object store.",
      "An interrupted upload (Ctrl-C, a lost connection) continues where it stopped when the",
      "same command runs again. Prints the video id; with --wait the playback URL; with",
      "--share the share link."
    })
public final class UploadCommand implements Callable<Integer> {
  /** How progress is shown. */
  public enum ProgressMode {
    auto,
    bar,
    plain,
    none
  }

  @ParentCommand CapstanCommand root;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "video files to upload")
  List<String> files;

  @Option(names = "--title", description = "title of the video (default: the file name)")
  String title;

  @Option(names = "--wait", description = "wait until the server has processed the video")
  boolean await;

  @Option(names = "--share", description = "create a share link and print it")
  boolean share;

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      defaultValue = "4",
      description = "parts sent at once (default: ${DEFAULT-VALUE})")
  int concurrency;

  @Option(
      names = "--retries",
      paramLabel = "N",
      defaultValue = "5",
      description = "attempts per part before giving up (default: ${DEFAULT-VALUE})")
  int retries;

  @Option(
      names = "--limit-rate",
      paramLabel = "RATE",
      description = "upload at most this many bytes per second, e.g. 500K, 8M")
  String limitRate;

  @Option(
      names = "--progress",
      paramLabel = "MODE",
      defaultValue = "auto",
      description =
          "auto (a bar on a terminal, lines otherwise), bar, plain or none (default: auto)")
  ProgressMode progressMode;

  @Option(
      names = "--wait-timeout",
      paramLabel = "DURATION",
      defaultValue = "30m",
      description = "give up waiting after this long (default: ${DEFAULT-VALUE})")
  String waitTimeout;

  @Override
  public Integer call() {
    Terminal terminal = root.terminal();
    if (concurrency < 1 || concurrency > 64) {
      throw new CliFailure(ExitCode.USAGE, "--concurrency must be between 1 and 64");
    }
    if (retries < 1) {
      throw new CliFailure(ExitCode.USAGE, "--retries must be at least 1");
    }
    if (title != null && files.size() > 1) {
      throw new CliFailure(ExitCode.USAGE, "--title names one video: upload one file with it");
    }
    long rate;
    Duration timeout;
    try {
      rate = limitRate == null ? 0 : Throttle.parseRate(limitRate);
      timeout = TimeArguments.duration(waitTimeout);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(ExitCode.USAGE, e.getMessage());
    }
    // Every file is checked before the first byte goes out.
    List<SourceFile> sources = files.stream().map(SourceFile::of).toList();

    CapstanApi api = root.api();
    UploadProgress progress = progressFor(terminal);
    Uploader uploader =
        new Uploader(
            api,
            new UploadStates(root.environment().stateDir()),
            progress,
            terminal,
            new Uploader.Options(
                concurrency,
                Backoff.of(retries, Duration.ofMillis(500), Duration.ofSeconds(8)),
                rate),
            Clock.systemUTC());
    List<CliFailure> failures = new ArrayList<>();
    for (SourceFile file : sources) {
      try {
        uploadOne(api, uploader, progress, terminal, file, timeout);
      } catch (CliFailure f) {
        if (sources.size() == 1 || f.exitCode() == ExitCode.INTERRUPTED) {
          throw f;
        }
        terminal.note("capstan: " + f.getMessage());
        failures.add(f);
      }
    }
    return failures.isEmpty() ? ExitCode.OK.code() : failures.get(0).exitCode().code();
  }

  private void uploadOne(
      CapstanApi api,
      Uploader uploader,
      UploadProgress progress,
      Terminal terminal,
      SourceFile file,
      Duration timeout) {
    Uploader.Uploaded uploaded = uploader.upload(file, title != null ? title : file.name());
    VideoView video = uploaded.video();
    terminal.note(
        file.name()
            + ": uploaded as video "
            + video.id()
            + " ("
            + Units.bytes(file.sizeBytes())
            + (uploaded.partsResumed() > 0
                ? ", "
                    + uploaded.partsResumed()
                    + " parts resumed, "
                    + uploaded.partsSent()
                    + " sent"
                : "")
            + "), "
            + video.status().wireName());
    if (await && video.status() != VideoStatus.READY) {
      video = new ProcessingWatcher(api, progress, terminal).await(video.id(), timeout);
    }
    if (video.status() == VideoStatus.FAILED) {
      throw new CliFailure(
          ExitCode.PROCESSING_FAILED,
          file.name()
              + " could not be processed"
              + (video.error() == null
                  ? ""
                  : " (" + video.error().code() + "): " + video.error().message()));
    }
    if (share) {
      ShareView link = api.createShare(video.id(), null, null);
      terminal.result(link.url().toString());
    } else if (await && video.playback() != null && video.playback().mp4() != null) {
      terminal.result(video.playback().mp4().toString());
    } else {
      terminal.result(video.id());
    }
  }

  private UploadProgress progressFor(Terminal terminal) {
    ProgressMode mode =
        progressMode == ProgressMode.auto
            ? (terminal.interactive() ? ProgressMode.bar : ProgressMode.plain)
            : progressMode;
    return switch (mode) {
      case bar -> new ProgressBar(terminal.err(), ProgressBar.terminalWidth());
      case plain -> new PlainProgress(terminal.err());
      default -> new PlainProgress(new PrintStream(PrintStream.nullOutputStream()));
    };
  }
}
