package dev.rxpath.agent.bcc;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * libbcc_bpf 0.26: bcc's loader, map and attach functions without its compiler
 * (/usr/include/bcc/libbpf.h). The agent loads this one; it maps no LLVM.
 */
interface LibBccBpf extends Library {
    int bcc_create_map(int mapType, String name, int keySize, int valueSize, int maxEntries, int mapFlags);

    /**
     * What libbcc's bcc_func_load does for a module without BTF: the name's prefix gives the
     * program name, and for fentry/fexit the expected attach type and the function's vmlinux BTF id.
     */
    int bcc_prog_load(int progType, String name, Pointer insns, int progLen, String license, int kernVersion,
                      int logLevel, Pointer logBuf, int logBufSize);

    int bpf_attach_tracepoint(int progFd, String category, String name);

    int bpf_attach_raw_tracepoint(int progFd, String name);

    /** Attaches a loaded fentry/fexit program to the function its BTF id names; returns the link fd. */
    int bpf_attach_kfunc(int progFd);

    int bpf_attach_kprobe(int progFd, int attachType, String evName, String fnName, long offset, int maxactive);

    int bpf_detach_kprobe(String evName);

    int bpf_close_perf_event_fd(int fd);

    int bpf_update_elem(int fd, Pointer key, Pointer value, long flags);

    int bpf_lookup_elem(int fd, Pointer key, Pointer value);

    int bpf_delete_elem(int fd, Pointer key);

    int bpf_lookup_and_delete(int fd, Pointer key, Pointer value);

    int bpf_lookup_batch(int fd, Pointer inBatch, Pointer outBatch, Pointer keys, Pointer values, Pointer count);

    /** Fills {@code info} (a struct bpf_prog_info for a program fd) up to {@code *infoLen} bytes; re-exported from libbpf. */
    int bpf_obj_get_info_by_fd(int fd, Pointer info, int[] infoLen);

    static LibBccBpf load() {
        return load(LibBccBpf.class, "libbcc_bpf is not installed: install the Debian package libbpfcc (bin/setup does)",
                "bcc_bpf", "libbcc_bpf.so.0");
    }

    /** Loads the first of {@code names} that exists, or says what to install. */
    static <T extends Library> T load(Class<T> type, String missing, String... names) {
        UnsatisfiedLinkError first = null;
        for (String name : names) {
            try {
                return Native.load(name, type);
            } catch (UnsatisfiedLinkError e) {
                if (first == null) first = e;
            }
        }
        throw new BccException(BccException.Kind.LIBRARY_MISSING, missing, first);
    }
}
