package dev.capstan.cli.command;

import dev.capstan.cli.CapstanCommand;
import dev.capstan.cli.ExitCode;
import dev.capstan.cli.api.CapstanApi;
import dev.capstan.cli.upload.UploadStates;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code capstan rm ID...}: deletes videos (and forgets their unfinished uploads). */
@Command(name = "rm", description = "Delete videos, with their files and share links.")
public final class RemoveCommand implements Callable<Integer> {
  @ParentCommand CapstanCommand root;

  @Parameters(paramLabel = "ID", arity = "1..*", description = "ids of the videos")
  List<String> ids;

  @Override
  public Integer call() {
    CapstanApi api = root.api();
    UploadStates states = new UploadStates(root.environment().stateDir());
    for (String id : ids) {
      api.deleteVideo(id);
      states.deleteForVideo(id);
      root.terminal().note("deleted " + id);
    }
    return ExitCode.OK.code();
  }
}
