package dev.rxpath.agent;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test of the running kernel: it loads BPF programs, reads tracefs or the kernel's BTF, or
 * makes network namespaces. Tagged "kernel" (`bin/test --unit` leaves these out), and skipped,
 * saying why, unless run as root.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Tag("kernel")
@ExtendWith(KernelTests.AsRoot.class)
public @interface KernelTest {}
