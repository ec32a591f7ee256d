package dev.rxpath.agent;

import org.junit.jupiter.api.Tag;

/** {@link SamplingKernelTest} on the stock kernels of bin/vmtest, where the IP, TCP and LOOKUP stages attach too. */
@Tag("vm")
class SamplingVmKernelTest extends SamplingKernelTest {}
