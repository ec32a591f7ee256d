package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * bin/vmtest itself, booting the stock kernel for real: a command's exit status is the
 * result, and a guest that panics or hangs fails the run with the guest's console shown.
 */
@KernelTest
class VmHarnessKernelTest {
    private static final Path VMTEST = Path.of("..", "bin", "vmtest").toAbsolutePath().normalize();

    private static KernelTests.Run vmtest(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(VMTEST.toString(), "--no-build"));
        cmd.addAll(List.of(args));
        return KernelTests.run(cmd, TimeUnit.MINUTES.toSeconds(10));
    }

    @Test
    void aCommandRunsInTheStockKernelAndItsExitStatusIsTheResult() throws Exception {
        KernelTests.Run ok = vmtest("--run", "echo guest-kernel=$(uname -r)");
        assertEquals(0, ok.exit(), ok.output());
        assertTrue(ok.output().lines().anyMatch(l -> l.startsWith("guest-kernel=") && !l.endsWith(System.getProperty("os.version"))),
                ok.output());
        KernelTests.Run failed = vmtest("--run", "exit 3");
        assertEquals(1, failed.exit(), failed.output());
        assertTrue(failed.output().contains("FAILED") && failed.output().contains("exit status 3"), failed.output());
    }

    @Test
    void aGuestThatPanicsFailsTheRunWithItsConsole() throws Exception {
        KernelTests.Run r = vmtest("--run", "echo c > /proc/sysrq-trigger");
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("the guest stopped without a result"), r.output());
        assertTrue(r.output().contains("Kernel panic"), "the console log: " + r.output());
    }

    @Test
    void aGuestThatHangsIsStoppedAtTheTimeoutWithItsConsole() throws Exception {
        KernelTests.Run r = vmtest("--timeout", "20", "--run", "echo guest-started; sleep 600");
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("did not finish within 20s"), r.output());
        assertTrue(r.output().contains("guest-started"), "the console log: " + r.output());
    }
}
