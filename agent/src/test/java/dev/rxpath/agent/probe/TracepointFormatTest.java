package dev.rxpath.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing format files recorded from a 6.18 kernel's tracefs (src/test/resources/formats). */
class TracepointFormatTest {
    private static TracepointFormat recorded(String category, String event) throws Exception {
        try (InputStream in = TracepointFormatTest.class.getResourceAsStream("/formats/" + category + "-" + event + "-6.18")) {
            return TracepointFormat.parse(category, event, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void fieldsSkipTheCommonHeaderAndKeepDeclarationOrder() throws Exception {
        TracepointFormat f = recorded("skb", "kfree_skb");
        assertEquals(List.of("skbaddr", "location", "rx_sk", "protocol", "reason"), f.fields());
        assertTrue(recorded("net", "netif_receive_skb_entry").hasField("name"), "__data_loc char[] name is the field 'name'");
    }

    @Test
    void dropReasonNamesComeFromTheKernelsOwnTable() throws Exception {
        Map<Long, String> reasons = recorded("skb", "kfree_skb").symbols("reason");
        assertEquals("NO_SOCKET", reasons.get(3L));
        assertEquals("NOT_SPECIFIED", reasons.get(2L));
        assertTrue(reasons.size() > 100, "6.18 has over a hundred drop reasons, got " + reasons.size());
    }

    @Test
    void theResetReasonTableIsFoundAfterTheStateTableThatPrecedesIt() throws Exception {
        TracepointFormat f = recorded("tcp", "tcp_send_reset");
        // The state table uses symbolic keys (TCP_ESTABLISHED), which have no numeric value to read.
        assertEquals(Map.of(), f.symbols("state"));
        assertEquals("NO_SOCKET", f.symbols("reason").get(1L));
        assertEquals("NOT_SPECIFIED", f.symbols("reason").get(0L));
    }

    @Test
    void aFieldWithoutATableHasNoNames() throws Exception {
        assertEquals(Map.of(), recorded("skb", "kfree_skb").symbols("protocol"));
    }
}
