package dev.rxpath.agent.bcc;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** libbcc 0.26's C API, as JNA sees it (/usr/include/bcc/bcc_common.h, libbpf.h). */
interface LibBcc extends Library {
    Pointer bpf_module_create_c_from_string(String text, int flags, String[] cflags, int ncflags,
                                            boolean allowRlimit, String devName);

    void bpf_module_destroy(Pointer module);

    long bpf_num_functions(Pointer module);

    String bpf_function_name(Pointer module, long index);

    Pointer bpf_function_start(Pointer module, String name);

    long bpf_function_size(Pointer module, String name);

    String bpf_module_license(Pointer module);

    int bpf_module_kern_version(Pointer module);

    int bcc_func_load(Pointer module, int progType, String name, Pointer insns, int progLen,
                      String license, int kernVersion, int logLevel, Pointer logBuf, int logBufSize,
                      String devName, int attachType);

    int bpf_table_fd(Pointer module, String table);

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

    /** Fills {@code info} (a struct bpf_prog_info for a program fd) up to {@code *infoLen} bytes; libbcc re-exports libbpf's. */
    int bpf_obj_get_info_by_fd(int fd, Pointer info, int[] infoLen);

    /** Loads libbcc, or says which Debian package provides it. */
    static LibBcc load() {
        UnsatisfiedLinkError first = null;
        for (String name : new String[] {"bcc", "libbcc.so.0"}) {
            try {
                return Native.load(name, LibBcc.class);
            } catch (UnsatisfiedLinkError e) {
                if (first == null) first = e;
            }
        }
        throw new BccException(BccException.Kind.LIBRARY_MISSING,
                "libbcc is not installed: install the Debian package libbpfcc (bin/setup does)", first);
    }
}
