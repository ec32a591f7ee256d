package dev.rxpath.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.path.CloseReason;
import dev.rxpath.agent.path.Verdict;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every value crosses to the API and back as itself, and the API has no value the agent lacks. */
class ApiEnumsTest {
    @Test
    void everyVerdictRoundTripsAndTheApiHasNoOther() {
        for (Verdict v : Verdict.values()) assertEquals(v, ApiEnums.verdict(ApiEnums.verdict(v)));
        Set<dev.rxpath.api.v1.Verdict> mapped = EnumSet.allOf(Verdict.class).stream().map(ApiEnums::verdict).collect(Collectors.toSet());
        assertEquals(apiValues(dev.rxpath.api.v1.Verdict.class), mapped);
        assertEquals(dev.rxpath.api.v1.Verdict.VERDICT_DROPPED, ApiEnums.verdict(Verdict.DROPPED), "by meaning, not by position");
        assertThrows(IllegalArgumentException.class, () -> ApiEnums.verdict(dev.rxpath.api.v1.Verdict.VERDICT_UNSPECIFIED));
        assertThrows(IllegalArgumentException.class, () -> ApiEnums.verdict(dev.rxpath.api.v1.Verdict.UNRECOGNIZED));
    }

    @Test
    void everyStageRoundTripsAndTheApiHasNoOther() {
        for (Stage s : Stage.values()) assertEquals(s, ApiEnums.stage(ApiEnums.stage(s)));
        Set<dev.rxpath.api.v1.Stage> mapped = EnumSet.allOf(Stage.class).stream().map(ApiEnums::stage).collect(Collectors.toSet());
        assertEquals(apiValues(dev.rxpath.api.v1.Stage.class), mapped);
        assertEquals(dev.rxpath.api.v1.Stage.STAGE_LOOKUP, ApiEnums.stage(Stage.LOOKUP));
        assertThrows(IllegalArgumentException.class, () -> ApiEnums.stage(dev.rxpath.api.v1.Stage.STAGE_UNSPECIFIED));
    }

    @Test
    void everyCloseReasonHasItsOwnApiValue() {
        Set<dev.rxpath.api.v1.CloseReason> mapped = EnumSet.allOf(CloseReason.class).stream().map(ApiEnums::closeReason).collect(Collectors.toSet());
        assertEquals(apiValues(dev.rxpath.api.v1.CloseReason.class), mapped);
        for (CloseReason r : CloseReason.values()) assertEquals("CLOSE_REASON_" + r.name(), ApiEnums.closeReason(r).name());
    }

    /** The API's values that mean something: not the zero value, not UNRECOGNIZED. */
    private static <E extends Enum<E> & com.google.protobuf.ProtocolMessageEnum> Set<E> apiValues(Class<E> type) {
        return EnumSet.allOf(type).stream().filter(e -> !e.name().equals("UNRECOGNIZED") && e.getNumber() != 0).collect(Collectors.toSet());
    }
}
