package dev.rxpath.agent.export;

import dev.rxpath.agent.Agent;
import dev.rxpath.agent.probe.HookStatus;
import dev.rxpath.agent.record.RecordingHeader;
import java.util.List;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * What ServerStatus tells of a node beyond its pipeline: the kernel and its hooks, how paths are
 * sampled and the programs' counts. A live agent's come from its kernel; a replayed node's from
 * its recording's header, so a recording can stand in for a node (behind a relay, in tests).
 */
public interface ObservedNode {
    String kernelRelease();

    List<HookStatus> hooks();

    String pathSampling();

    /** Records the programs submitted, and those read (as the pipeline's input). */
    long submitted();

    long received();

    long segmentsSampled();

    long pathsKeptUnsampled();

    long socketsCounted();

    long socketsNotCounted();

    /** The kernel's DEV → socket histogram of every segment; null where there is none. */
    Histogram everySegment();

    static ObservedNode of(Agent agent) {
        return new ObservedNode() {
            @Override
            public String kernelRelease() {
                return agent.hooks().kernel().kernelRelease();
            }

            @Override
            public List<HookStatus> hooks() {
                return agent.hooks().statuses();
            }

            @Override
            public String pathSampling() {
                return agent.hooks().options().sampling().describe();
            }

            @Override
            public long submitted() {
                return agent.stats().submitted();
            }

            @Override
            public long received() {
                return agent.stats().received();
            }

            @Override
            public long segmentsSampled() {
                return agent.stats().programs().sampled();
            }

            @Override
            public long pathsKeptUnsampled() {
                return agent.stats().programs().promoted();
            }

            @Override
            public long socketsCounted() {
                return agent.sockets().entries();
            }

            @Override
            public long socketsNotCounted() {
                return agent.stats().programs().socketsFull();
            }

            @Override
            public Histogram everySegment() {
                return agent.devToSocket().read();
            }
        };
    }

    /** A node replayed from a recording: what its header says, and the records replayed so far. */
    static ObservedNode replayed(RecordingHeader header, LongSupplier records) {
        return new ObservedNode() {
            @Override
            public String kernelRelease() {
                return header.kernelRelease();
            }

            @Override
            public List<HookStatus> hooks() {
                return header.hooks();
            }

            @Override
            public String pathSampling() {
                return "as recorded";
            }

            @Override
            public long submitted() {
                return records.getAsLong();
            }

            @Override
            public long received() {
                return records.getAsLong();
            }

            @Override
            public long segmentsSampled() {
                return 0;
            }

            @Override
            public long pathsKeptUnsampled() {
                return 0;
            }

            @Override
            public long socketsCounted() {
                return 0;
            }

            @Override
            public long socketsNotCounted() {
                return 0;
            }

            @Override
            public Histogram everySegment() {
                return null;
            }
        };
    }
}
