package dev.rxpath.agent.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** RecordType's ids and ABI version are bpf/rxpath.h's (its sizes are checked against the kernel by RecordLayoutKernelTest). */
class RecordTypeAbiTest {
    @Test
    void idsAndVersionMatchTheHeader() throws Exception {
        String header = Files.readString(Path.of("../bpf/rxpath.h"));
        Matcher version = Pattern.compile("#define RX_ABI_VERSION (\\d+)").matcher(header);
        version.find();
        assertEquals(Integer.parseInt(version.group(1)), RecordType.ABI_VERSION, "RX_ABI_VERSION");

        Map<String, Integer> ids = new HashMap<>();
        Matcher m = Pattern.compile("\\bRX_([A-Z_]+) = (\\d+),").matcher(header.substring(header.indexOf("enum rx_record_type"),
                header.indexOf("enum rx_stat")));
        while (m.find()) ids.put(m.group(1), Integer.parseInt(m.group(2)));
        Map<String, Integer> java = new HashMap<>();
        for (RecordType t : RecordType.values()) java.put(t.name(), t.id);
        assertEquals(ids, java, "enum rx_record_type");
    }
}
