package dev.rxpath.agent.export;

import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.path.CloseReason;
import dev.rxpath.agent.path.Verdict;

/**
 * The agent's enums and the API's, value by value. Every switch names every value and has no
 * default, so a value added on either side fails the build here rather than a stream at run
 * time. The API's zero values and UNRECOGNIZED have no agent value: IllegalArgumentException,
 * which request parsing turns into INVALID_ARGUMENT naming the field.
 */
final class ApiEnums {
    private ApiEnums() {}

    static dev.rxpath.api.v1.Verdict verdict(Verdict v) {
        return switch (v) {
            case DELIVERED -> dev.rxpath.api.v1.Verdict.VERDICT_DELIVERED;
            case MERGED -> dev.rxpath.api.v1.Verdict.VERDICT_MERGED;
            case QUEUED -> dev.rxpath.api.v1.Verdict.VERDICT_QUEUED;
            case DROPPED -> dev.rxpath.api.v1.Verdict.VERDICT_DROPPED;
            case RESET -> dev.rxpath.api.v1.Verdict.VERDICT_RESET;
            case NO_PAYLOAD -> dev.rxpath.api.v1.Verdict.VERDICT_NO_PAYLOAD;
            case CONSUMED -> dev.rxpath.api.v1.Verdict.VERDICT_CONSUMED;
            case UNTRACED -> dev.rxpath.api.v1.Verdict.VERDICT_UNTRACED;
        };
    }

    static Verdict verdict(dev.rxpath.api.v1.Verdict v) {
        return switch (v) {
            case VERDICT_DELIVERED -> Verdict.DELIVERED;
            case VERDICT_MERGED -> Verdict.MERGED;
            case VERDICT_QUEUED -> Verdict.QUEUED;
            case VERDICT_DROPPED -> Verdict.DROPPED;
            case VERDICT_RESET -> Verdict.RESET;
            case VERDICT_NO_PAYLOAD -> Verdict.NO_PAYLOAD;
            case VERDICT_CONSUMED -> Verdict.CONSUMED;
            case VERDICT_UNTRACED -> Verdict.UNTRACED;
            case VERDICT_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException("unknown verdict " + v);
        };
    }

    static dev.rxpath.api.v1.Stage stage(Stage s) {
        return switch (s) {
            case DEV -> dev.rxpath.api.v1.Stage.STAGE_DEV;
            case IP -> dev.rxpath.api.v1.Stage.STAGE_IP;
            case TCP -> dev.rxpath.api.v1.Stage.STAGE_TCP;
            case LOOKUP -> dev.rxpath.api.v1.Stage.STAGE_LOOKUP;
            case SOCKET -> dev.rxpath.api.v1.Stage.STAGE_SOCKET;
            case USER -> dev.rxpath.api.v1.Stage.STAGE_USER;
            case END -> dev.rxpath.api.v1.Stage.STAGE_END;
            case SOCKET_EVENT -> dev.rxpath.api.v1.Stage.STAGE_SOCKET_EVENT;
        };
    }

    static Stage stage(dev.rxpath.api.v1.Stage s) {
        return switch (s) {
            case STAGE_DEV -> Stage.DEV;
            case STAGE_IP -> Stage.IP;
            case STAGE_TCP -> Stage.TCP;
            case STAGE_LOOKUP -> Stage.LOOKUP;
            case STAGE_SOCKET -> Stage.SOCKET;
            case STAGE_USER -> Stage.USER;
            case STAGE_END -> Stage.END;
            case STAGE_SOCKET_EVENT -> Stage.SOCKET_EVENT;
            case STAGE_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException("unknown stage " + s);
        };
    }

    static dev.rxpath.api.v1.CloseReason closeReason(CloseReason r) {
        return switch (r) {
            case END -> dev.rxpath.api.v1.CloseReason.CLOSE_REASON_END;
            case REUSED -> dev.rxpath.api.v1.CloseReason.CLOSE_REASON_REUSED;
            case EXPIRED -> dev.rxpath.api.v1.CloseReason.CLOSE_REASON_EXPIRED;
            case EVICTED -> dev.rxpath.api.v1.CloseReason.CLOSE_REASON_EVICTED;
            case SOCKET_CLOSED -> dev.rxpath.api.v1.CloseReason.CLOSE_REASON_SOCKET_CLOSED;
        };
    }
}
