package dev.rxpath.agent.bcc;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/**
 * libbcc 0.26's compiler API, as JNA sees it (/usr/include/bcc/bcc_common.h). Only
 * {@link CompileChild} loads it: libbcc links clang and LLVM, which would stay mapped in
 * the agent for good, so the agent itself uses {@link LibBccBpf} instead.
 */
interface LibBcc extends Library {
    Pointer bpf_module_create_c_from_string(String text, int flags, String[] cflags, int ncflags,
                                            boolean allowRlimit, String devName);

    String bpf_module_license(Pointer module);

    int bpf_module_kern_version(Pointer module);

    long bpf_num_functions(Pointer module);

    String bpf_function_name(Pointer module, long index);

    Pointer bpf_function_start_id(Pointer module, long index);

    long bpf_function_size_id(Pointer module, long index);

    long bpf_num_tables(Pointer module);

    String bpf_table_name(Pointer module, long index);

    int bpf_table_fd_id(Pointer module, long index);

    int bpf_table_type_id(Pointer module, long index);

    long bpf_table_key_size_id(Pointer module, long index);

    long bpf_table_leaf_size_id(Pointer module, long index);

    long bpf_table_max_entries_id(Pointer module, long index);

    int bpf_table_flags_id(Pointer module, long index);

    /** Loads libbcc, or says which Debian package provides it. */
    static LibBcc load() {
        return LibBccBpf.load(LibBcc.class, "libbcc is not installed: install the Debian package libbpfcc (bin/setup does)",
                "bcc", "libbcc.so.0");
    }
}
