package dev.rxpath.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.rxpath.api.flags.EnumNames;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** -o: how a command prints what the agent sends. */
final class Output {
    enum Format { COMPACT, JSON, TABLE, WATERFALL }

    static final class Formats extends EnumNames.Choices<Format> {
        Formats() {
            super(Format.class);
        }
    }

    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "compact",
            converter = Formats.class, completionCandidates = Formats.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}): one line per item, one JSON object per line, aligned columns"
                    + " under a header, or (observe) each path's stages as a time bar.")
    Format format;

    /** For a command that prints no paths: a waterfall is drawn from a path's stages. */
    void noWaterfall(CommandSpec spec) {
        if (format == Format.WATERFALL) throw new ParameterException(spec.commandLine(), "--output waterfall draws paths: it is for observe");
    }

    /** One line of JSON: the message as the proto's JSON mapping has it. */
    static String json(MessageOrBuilder message) {
        try {
            return JSON.print(message);
        } catch (InvalidProtocolBufferException e) {
            // only an Any without its type registry fails, and the contract has no Any
            throw new IllegalStateException(e);
        }
    }
}
