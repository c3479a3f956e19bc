package dev.capstan.deploy;

import dev.capstan.model.job.QueueNames;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * The job streams of a namespace, from the wire contract: one per {@code JobLane} where the
 * contract has lanes, else the single {@link QueueNames#jobStream(String)}. Read reflectively so
 * these checks compile against the contract before and after lanes.
 */
final class JobStreams {
  private JobStreams() {}

  static List<String> of(String namespace) {
    List<String> streams = new ArrayList<>();
    streams.add(QueueNames.jobStream(namespace));
    try {
      Class<?> lane = Class.forName("dev.capstan.model.job.JobLane");
      Method perLane = QueueNames.class.getMethod("jobStream", String.class, lane);
      for (Object constant : lane.getEnumConstants()) {
        String stream = (String) perLane.invoke(null, namespace, constant);
        if (!streams.contains(stream)) {
          streams.add(stream);
        }
      }
    } catch (ClassNotFoundException | NoSuchMethodException noLanes) {
      // A contract without lanes: the one stream.
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
    return streams;
  }
}
