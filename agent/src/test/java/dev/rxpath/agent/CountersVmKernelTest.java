package dev.rxpath.agent;

import org.junit.jupiter.api.Tag;

/** {@link CountersKernelTest} on the stock kernels of bin/vmtest (6.1 counts delivery by copies: no sock_recv_length). */
@Tag("vm")
class CountersVmKernelTest extends CountersKernelTest {
    /** Emulated CPUs open connections slowly. */
    @Override
    protected int connections() {
        return 300;
    }
}
