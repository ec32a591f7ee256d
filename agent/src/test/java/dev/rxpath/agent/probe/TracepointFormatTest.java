package dev.rxpath.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing format files recorded from 6.18 and 5.10 kernels' tracefs (src/test/resources/formats). */
class TracepointFormatTest {
    private static TracepointFormat recorded(String category, String event) throws Exception {
        return recorded(category, event, "6.18");
    }

    private static TracepointFormat recorded(String category, String event, String kernel) throws Exception {
        try (InputStream in = TracepointFormatTest.class.getResourceAsStream("/formats/" + category + "-" + event + "-" + kernel)) {
            return TracepointFormat.parse(category, event, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void anArraySizePrintedAsAnExpressionIsNotTakenForTheName() throws Exception {
        // 5.10: "field:__u8 saddr[sizeof(struct sockaddr_in6)];"
        TracepointFormat f = recorded("tcp", "tcp_probe", "5.10");
        assertEquals(List.of("saddr", "daddr", "sport", "dport", "mark", "data_len", "snd_nxt", "snd_una",
                "snd_cwnd", "ssthresh", "snd_wnd", "srtt", "rcv_wnd", "sock_cookie"), f.fields());
        assertFalse(f.hasField("family"), "5.10's tcp_probe has no family field");
        TracepointFormat reset = recorded("tcp", "tcp_send_reset", "5.10");
        assertTrue(reset.hasField("saddr_v6") && !reset.hasField("family") && !reset.hasField("reason"),
                "5.10's tcp_send_reset has the split address layout, no family and no reason: " + reset.fields());
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
