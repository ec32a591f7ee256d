package dev.rxpath.agent;

import org.junit.jupiter.api.Tag;

/** {@link SegmentHeadersKernelTest} on the stock kernels of bin/vmtest, whose BTF lays out sk_buff differently. */
@Tag("vm")
class SegmentHeadersVmKernelTest extends SegmentHeadersKernelTest {}
