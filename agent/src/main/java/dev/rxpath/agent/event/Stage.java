package dev.rxpath.agent.event;

/** The receive-path stages a segment passes, in order, and the socket history beside them. */
public enum Stage {
    DEV, IP, TCP, LOOKUP, SOCKET, USER, END,
    /** State changes, retransmits and resets received: a socket's history, not one segment's path. */
    SOCKET_EVENT
}
