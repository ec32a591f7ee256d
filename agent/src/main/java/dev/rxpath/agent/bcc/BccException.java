package dev.rxpath.agent.bcc;

/** A failure in compiling, loading or attaching a BPF program, with the kernel's or compiler's own words. */
public final class BccException extends RuntimeException {
    public enum Kind {
        LIBRARY_MISSING, HEADERS_MISSING, COMPILE_ERROR, LOAD_REJECTED, PERMISSION, ATTACH_FAILED, TABLE_MISSING,
        /** The kernel refused to read or write a table's entries. */
        TABLE_ACCESS,
        /** The compiler's process could not start, crashed or hung: its own output says why. */
        COMPILER_FAILED
    }

    private final Kind kind;
    private final String summary;
    private final String detail;

    BccException(Kind kind, String message) {
        this(kind, message, "", null);
    }

    BccException(Kind kind, String message, Throwable cause) {
        this(kind, message, "", cause);
    }

    BccException(Kind kind, String message, String detail) {
        this(kind, message, detail, null);
    }

    private BccException(Kind kind, String message, String detail, Throwable cause) {
        super(detail.isBlank() ? message : message + ":\n" + detail.strip(), cause);
        this.kind = kind;
        this.summary = message;
        this.detail = detail;
    }

    public Kind kind() {
        return kind;
    }

    /** What failed, in one line, without the quoted text. */
    public String summary() {
        return summary;
    }

    /** The compiler's diagnostics, the verifier log or libbcc's own text; empty when there was none. */
    public String detail() {
        return detail;
    }
}
